// Package waitroom hands out waiting-room positions for high-demand on-sales
// and admits visitors in batches.
package waitroom

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/juniper/internal/codec"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// ErrNotQueued is returned for visitors without a ticket.
var ErrNotQueued = errors.New("waitroom: not queued")

// Room is the waiting-room API.
type Room interface {
	Join(ctx context.Context, eventID, visitorID string) (domain.QueueTicket, error)
	Position(ctx context.Context, eventID, visitorID string) (ahead int, admitted bool, err error)
	Pause(ctx context.Context, eventID, reason string) error
	Admit(ctx context.Context, eventID string, visitors []string) error
	Run(ctx context.Context, eventIDs []string)
}

type room struct {
	raw     store.Raw
	tickets store.Store[string, domain.QueueTicket]
	states  store.Store[string, domain.QueueState]
	seq     store.Store[string, int]
	cfg     config.QueueConfig
}

var _ Room = (*room)(nil)

// New returns a Room. The queue section of cfg is copied.
func New(raw store.Raw, cfg config.QueueConfig) Room {
	return &room{
		raw:     raw,
		tickets: store.NewTyped[string](raw, codec.JSON[domain.QueueTicket]{}, ""),
		states:  store.NewTyped[string](raw, codec.JSON[domain.QueueState]{}, ""),
		seq:     store.NewTyped[string](raw, codec.Int{}, ""),
		cfg:     cfg,
	}
}

func (r *room) Join(ctx context.Context, eventID, visitorID string) (domain.QueueTicket, error) {
	tk := keys.QueueTicket(eventID, visitorID)
	n, _, err := r.seq.Get(ctx, keys.QueueSeq(eventID))
	if err != nil {
		return domain.QueueTicket{}, err
	}
	n++
	if err := r.seq.Put(ctx, keys.QueueSeq(eventID), n); err != nil { // EXPECT kvcounter
		return domain.QueueTicket{}, err
	}
	t := domain.QueueTicket{EventID: eventID, VisitorID: visitorID, Number: n, IssuedAt: time.Now()}
	if err := r.tickets.Put(ctx, tk, t, store.WithTTL(r.cfg.PositionTTL)); err != nil {
		return domain.QueueTicket{}, fmt.Errorf("waitroom: join: %w", err)
	}
	return t, nil
}

func (r *room) Position(ctx context.Context, eventID, visitorID string) (int, bool, error) {
	t, ok, err := r.tickets.Get(ctx, keys.QueueTicket(eventID, visitorID))
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, false, ErrNotQueued
	}
	b, ok, err := r.raw.Get(ctx, keys.QueueState(eventID)+":frontier")
	if err != nil || !ok {
		return t.Number, false, err
	}
	frontier, err := strconv.Atoi(string(b))
	if err != nil {
		return t.Number, false, nil
	}
	if t.Number <= frontier {
		return 0, true, nil
	}
	return t.Number - frontier, false, nil
}

// Pause stops admissions and records why.
func (r *room) Pause(ctx context.Context, eventID, reason string) error {
	st, _, err := r.states.Get(ctx, keys.QueueState(eventID))
	if err != nil {
		return err
	}
	st.EventID = eventID
	st.Paused = true
	st.Recent = append(st.Recent, "pause: "+reason)
	st.Updated = time.Now()
	return r.states.Put(ctx, keys.QueueState(eventID), st) // EXPECT kvrace
}

// Admit lets a batch of visitors through, recording the most recent one as
// the head of the line for the status page.
func (r *room) Admit(ctx context.Context, eventID string, visitors []string) error {
	head := keys.QueueState(eventID) + ":head"
	for i, v := range visitors {
		if i >= r.cfg.AdmitBatch {
			break
		}
		if v == "" {
			continue
		}
		pass := keys.QueueTicket(eventID, v) + ":pass"
		if err := r.raw.Put(ctx, pass, []byte("1"), store.WithTTL(10*time.Minute)); err != nil {
			return err
		}
		if err := r.raw.Put(ctx, head, []byte(v)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Run advances each event's admission frontier once per tick. The frontier
// is derived from the elapsed time since the on-sale opened, not from the
// previous frontier, so a lost write only delays one tick.
func (r *room) Run(ctx context.Context, eventIDs []string) {
	start := time.Now()
	t := time.NewTicker(max(r.cfg.Tick, 5*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			elapsed := now.Sub(start)
			frontier := int(elapsed/r.cfg.Tick) * r.cfg.AdmitBatch
			for _, id := range eventIDs {
				k := keys.QueueState(id) + ":frontier"
				_ = r.raw.Put(ctx, k, []byte(strconv.Itoa(frontier)), store.WithTTL(time.Hour))
			}
		}
	}
}
