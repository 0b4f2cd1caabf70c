package sla

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/cfkv"
	"example.com/lattice/internal/platform/kvstore"
)

// Timers keeps ticket state behind the storage port and the deadline markers
// directly in the namespace, where the scanner lists them with metadata.
type Timers struct {
	store kvstore.Store
	t     cfkv.Target
	now   func() time.Time
}

// NewTimers wires Timers.
func NewTimers(store kvstore.Store, t cfkv.Target) *Timers {
	return &Timers{store: store, t: t, now: time.Now}
}

func ticketKey(id conf.TicketID) string   { return "ticket:" + string(id) }
func deadlineKey(id conf.TicketID) string { return "sla:deadline:" + string(id) }

// Open starts the clock on a new ticket.
func (s *Timers) Open(ctx context.Context, id conf.TicketID, c conf.ConferenceID, p Priority) (Ticket, error) {
	now := s.now()
	tk := Ticket{ID: id, Conference: c, Priority: p, State: Open, OpenedAt: now, Deadline: now.Add(p.ResponseTarget())}
	raw, err := json.Marshal(tk)
	if err != nil {
		return Ticket{}, err
	}
	if err := s.store.Put(ctx, ticketKey(id), raw); err != nil {
		return Ticket{}, err
	}
	return tk, s.arm(ctx, tk)
}

// arm writes the deadline marker; it lives until a week after the deadline
// so the breach report can still find it.
func (s *Timers) arm(ctx context.Context, tk Ticket) error {
	_, err := s.t.Client.KV.Namespaces.Values.Update(ctx, s.t.NamespaceID, deadlineKey(tk.ID), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.t.AccountID),
		Value:      cloudflare.F(string(tk.ID)),
		Expiration: cloudflare.F(float64(tk.Deadline.Add(7 * 24 * time.Hour).UnixMilli())), // EXPECT kvttl
		Metadata: cloudflare.F[any](map[string]any{
			"deadline": tk.Deadline.Unix(),
			"priority": int(tk.Priority),
		}),
	})
	return err
}

// Apply moves a ticket through the state machine.
func (s *Timers) Apply(ctx context.Context, id conf.TicketID, ev Event) (Ticket, error) {
	raw, err := s.store.Get(ctx, ticketKey(id))
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket %s: %w", id, err)
	}
	var tk Ticket
	if err := json.Unmarshal(raw, &tk); err != nil {
		return Ticket{}, err
	}
	next, err := tk.State.Next(ev)
	if err != nil {
		return tk, err
	}
	tk.State = next
	tk.History = append(tk.History, ev)
	out, err := json.Marshal(tk)
	if err != nil {
		return tk, err
	}
	return tk, s.store.Put(ctx, ticketKey(id), out) // EXPECT kvrace
}

// RecordFirstResponse stamps the time of the desk's first reply.
func (s *Timers) RecordFirstResponse(ctx context.Context, id conf.TicketID, agent string) error {
	key := "sla:first-response:" + string(id)
	if _, err := s.store.Get(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	stamp := strconv.FormatInt(s.now().Unix(), 10)
	return s.store.Put(ctx, key, []byte(stamp), kvstore.Metadata(map[string]any{"agent": agent})) // EXPECT kvrace
}

// RemindLater writes a reminder marker once the delay elapses, so the agent
// inbox shows it then rather than now.
func (s *Timers) RemindLater(id conf.TicketID, agent string, after time.Duration) *time.Timer {
	return time.AfterFunc(after, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		key := "sla:reminder:" + agent + ":" + string(id)
		if err := s.store.Put(ctx, key, []byte(string(id)), kvstore.TTL(24*time.Hour)); err != nil {
			log.Printf("sla: reminder for %s: %v", id, err)
		}
	})
}
