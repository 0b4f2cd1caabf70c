// Package wristband activates RFID wristbands against purchased tickets.
package wristband

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/repo"
	"example.com/tamarack/internal/platform/store"
)

var (
	// ErrAlreadyActive is returned when a band code was activated before.
	ErrAlreadyActive = errors.New("wristband already active")
	// ErrBadCode is returned for malformed band codes.
	ErrBadCode = errors.New("malformed wristband code")
)

// Band is an activated wristband.
type Band struct {
	Code        string    `json:"code"`
	TicketID    string    `json:"ticket_id"`
	Holder      string    `json:"holder"`
	Tier        string    `json:"tier"`
	ActivatedAt time.Time `json:"activated_at"`
}

// Ticket is what the box office knows about a purchase.
type Ticket struct {
	ID     string
	Holder string
	Tier   string
}

// Tickets looks up purchases in the box-office system.
type Tickets interface {
	Ticket(ctx context.Context, id string) (Ticket, error)
}

// Service activates and looks up wristbands.
type Service struct {
	st      store.Store
	tickets Tickets
	byTix   *repo.Repository[string]
	log     *slog.Logger
	now     func() time.Time
}

// Option configures a Service.
type Option func(*Service)

// WithClock overrides the clock.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService wires a Service.
func NewService(st store.Store, tickets Tickets, opts ...Option) *Service {
	s := &Service{
		st:      st,
		tickets: tickets,
		byTix:   repo.New[string](st, "wb:ticket:"),
		log:     slog.Default(),
		now:     time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func codeKey(code string) string { return "wb:code:" + code }

// Normalize upper-cases a code and checks its shape (four groups of four).
func Normalize(code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 19 || strings.Count(code, "-") != 3 {
		return "", ErrBadCode
	}
	return code, nil
}

// Activate binds a wristband code to a ticket.
func (s *Service) Activate(ctx context.Context, code, ticketID string) (Band, error) {
	code, err := Normalize(code)
	if err != nil {
		return Band{}, err
	}
	key := codeKey(code)
	if _, err := s.st.Get(ctx, key); err == nil {
		return Band{}, ErrAlreadyActive
	} else if !store.IsNotFound(err) {
		return Band{}, err
	}
	t, err := s.tickets.Ticket(ctx, ticketID)
	if err != nil {
		return Band{}, fmt.Errorf("ticket %s: %w", ticketID, err)
	}
	b := Band{Code: code, TicketID: t.ID, Holder: t.Holder, Tier: t.Tier, ActivatedAt: s.now().UTC()}
	raw, err := json.Marshal(b)
	if err != nil {
		return Band{}, err
	}
	if err := s.st.Put(ctx, key, string(raw)); err != nil { // EXPECT kvrace
		return Band{}, err
	}
	if err := s.byTix.Save(ctx, t.ID, code); err != nil {
		s.log.Warn("ticket index write failed", "ticket", t.ID, "err", err)
	}
	s.log.Info("wristband activated", "code", code, "tier", t.Tier)
	return b, nil
}

// Replace moves a ticket to a new band after the old one was lost. The old
// code is deleted so that it no longer opens gates.
func (s *Service) Replace(ctx context.Context, ticketID, newCode string) (Band, error) {
	old, err := s.byTix.Find(ctx, ticketID)
	if err != nil {
		return Band{}, err
	}
	if err := s.st.Delete(ctx, codeKey(old)); err != nil { // DEBATABLE kvsession
		return Band{}, err
	}
	return s.Activate(ctx, newCode, ticketID)
}
