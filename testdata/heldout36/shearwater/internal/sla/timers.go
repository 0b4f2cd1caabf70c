//go:build js && wasm

// Package sla keeps the first-response and resolution timers of tickets.
package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/deskfleet/shearwater/internal/keys"
	"github.com/deskfleet/shearwater/internal/kvstore"
	"github.com/syumai/workers/cloudflare/kv"
)

// ErrNoTimer is returned when a ticket has no running timer.
var ErrNoTimer = errors.New("sla: no timer")

// Timer is the SLA clock of one ticket.
type Timer struct {
	TicketID string        `json:"ticket_id"`
	Target   string        `json:"target"` // "first_response" or "resolution"
	Deadline time.Time     `json:"deadline"`
	PausedAt *time.Time    `json:"paused_at,omitempty"`
	Paused   time.Duration `json:"paused"`
}

// Service handles /sla routes and the sweeper.
type Service struct {
	store *kvstore.Store
	// WarnWindow is how long before a breach the console shows a warning.
	WarnWindow time.Duration
}

// New returns the SLA service.
func New(store *kvstore.Store, warn time.Duration) *Service {
	return &Service{store: store, WarnWindow: warn}
}

// Start handles POST /sla/{ticket}/start?minutes=N.
func (s *Service) Start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	mins, err := strconv.Atoi(r.URL.Query().Get("minutes"))
	if err != nil || mins <= 0 {
		http.Error(w, "bad minutes", http.StatusBadRequest)
		return
	}
	t := Timer{
		TicketID: r.PathValue("ticket"),
		Target:   r.URL.Query().Get("target"),
		Deadline: time.Now().Add(time.Duration(mins) * time.Minute),
	}
	// The timer record outlives the deadline by a day so reports can see breaches.
	if err := kvstore.StoreJSON(ctx, s.store, keys.Timer(t.TicketID), t, time.Until(t.Deadline)+24*time.Hour); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// updateTimer applies fn to the stored timer of a ticket.
func (s *Service) updateTimer(ctx context.Context, ticketID string, fn func(*Timer)) (Timer, error) {
	t, found, err := kvstore.LoadJSON[Timer](ctx, s.store, keys.Timer(ticketID))
	if err != nil {
		return Timer{}, fmt.Errorf("load timer: %w", err)
	}
	if !found {
		return Timer{}, ErrNoTimer
	}
	fn(&t)
	ttl := max(time.Until(t.Deadline)+24*time.Hour, time.Hour)
	if err := kvstore.StoreJSON(ctx, s.store, keys.Timer(ticketID), t, ttl); err != nil { // EXPECT kvrace
		return Timer{}, fmt.Errorf("save timer: %w", err)
	}
	return t, nil
}

// Pause handles POST /sla/{ticket}/pause, used while waiting on the customer.
func (s *Service) Pause(w http.ResponseWriter, r *http.Request) {
	_, err := s.updateTimer(r.Context(), r.PathValue("ticket"), func(t *Timer) {
		if t.PausedAt == nil {
			now := time.Now()
			t.PausedAt = &now
		}
	})
	writeResult(w, err)
}

// Resume handles POST /sla/{ticket}/resume.
func (s *Service) Resume(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := s.updateTimer(ctx, r.PathValue("ticket"), func(t *Timer) {
		if t.PausedAt != nil {
			d := time.Since(*t.PausedAt)
			t.Paused += d
			t.Deadline = t.Deadline.Add(d)
			t.PausedAt = nil
		}
	})
	if err == nil {
		err = s.markWarning(ctx, t)
	}
	writeResult(w, err)
}

// markWarning sets the "about to breach" flag the console polls, so the flag
// disappears on its own once the warning window has passed.
func (s *Service) markWarning(ctx context.Context, t Timer) error {
	left := time.Until(t.Deadline)
	if left > s.WarnWindow || left <= 0 {
		return nil
	}
	return s.store.Put(ctx, "sla/warn/"+t.TicketID, t.Target, left) // EXPECT kvttl
}

// Escalate handles POST /sla/{ticket}/escalate: it raises a flag that stays up
// until the deadline, and at least a minute.
func (s *Service) Escalate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, found, err := kvstore.LoadJSON[Timer](ctx, s.store, keys.Timer(r.PathValue("ticket")))
	if err == nil && !found {
		err = ErrNoTimer
	}
	if err == nil {
		ttl := max(time.Until(t.Deadline), time.Minute)
		err = s.store.Put(ctx, "sla/escalated/"+t.TicketID, "1", ttl)
	}
	if err == nil {
		err = s.store.PutUntil(ctx, "sla/breach-report/"+t.TicketID, t.Target, t.Deadline.Add(7*24*time.Hour))
	}
	writeResult(w, err)
}

// Snooze handles POST /sla/{ticket}/snooze?window=90s: it hides the warning
// for a short while, at least a few seconds.
func (s *Service) Snooze(w http.ResponseWriter, r *http.Request) {
	window, err := time.ParseDuration(r.URL.Query().Get("window"))
	if err != nil {
		http.Error(w, "bad window", http.StatusBadRequest)
		return
	}
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	err = s.store.Put(r.Context(), "sla/snoozed/"+r.PathValue("ticket"), "1", ttl)
	writeResult(w, err)
}

// NotifyBreach records that the breach e-mail went out, so the sweeper does
// not send it twice within the hour.
func (s *Service) NotifyBreach(ctx context.Context, ticketID string) error {
	ns := s.store.Namespace()
	exp := int(time.Now().Add(time.Hour).UnixMilli()) // EXPECT kvttl
	if err := ns.PutString("sla/notified/"+ticketID, "1", &kv.PutOptions{Expiration: exp}); err != nil {
		return fmt.Errorf("mark notified: %w", err)
	}
	return nil
}

func writeResult(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrNoTimer):
		http.NotFound(w, nil)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// Snapshot is a point-in-time view of the SLA board.
type Snapshot struct {
	Breached []string  `json:"breached"`
	AtRisk   []string  `json:"at_risk"`
	TakenAt  time.Time `json:"taken_at"`
}

func (s Snapshot) encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}
