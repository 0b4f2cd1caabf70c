// Package cmdbus executes itinerary and credential commands against a
// store. Handlers build commands; the dispatcher runs and observes them.
package cmdbus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/storage"
)

// Command is one unit of work against the store.
type Command interface {
	Apply(ctx context.Context, s storage.Store) error
}

type Hook func(ctx context.Context, name string, elapsed time.Duration, err error)

type Dispatcher struct {
	store storage.Store
	hooks []Hook
}

func NewDispatcher(s storage.Store, opts ...storage.Option[Dispatcher]) *Dispatcher {
	d := storage.Apply(Dispatcher{store: s}, opts...)
	return &d
}

func WithHook(h Hook) storage.Option[Dispatcher] {
	return func(d *Dispatcher) { d.hooks = append(d.hooks, h) }
}

// Execute validates and applies cmds in order, stopping at the first error.
func (d *Dispatcher) Execute(ctx context.Context, cmds ...Command) error {
	for _, c := range cmds {
		start := time.Now()
		err := c.Apply(ctx, d.store)
		for _, h := range d.hooks {
			h(ctx, nameOf(c), time.Since(start), err)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", nameOf(c), err)
		}
	}
	return nil
}

func nameOf(c Command) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", c), "cmdbus.")
}

func tripKey(id string) string { return "trip:" + id }

// AddSegment appends a flight leg to a trip.
type AddSegment struct {
	TripID  string
	Segment domain.Segment
}

func (c AddSegment) Apply(ctx context.Context, s storage.Store) error {
	if !c.Segment.Arrive.After(c.Segment.Depart) {
		return fmt.Errorf("%w: arrival before departure", domain.ErrInvalidInput)
	}
	raw, err := s.Get(ctx, tripKey(c.TripID))
	if err != nil {
		return err
	}
	var t domain.Trip
	if err := json.Unmarshal(raw, &t); err != nil {
		return err
	}
	t.Segments = append(t.Segments, c.Segment)
	t.UpdatedAt = time.Now()
	out, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.Put(ctx, tripKey(c.TripID), out) // EXPECT kvrace
}

// ArchiveTrip removes a trip from the live namespace.
type ArchiveTrip struct {
	TripID string
}

func (c ArchiveTrip) Apply(ctx context.Context, s storage.Store) error {
	return s.Delete(ctx, tripKey(c.TripID))
}

// RefreshToken is the stored form of a refresh token.
type RefreshToken struct {
	TravellerID string    `json:"traveller_id"`
	IssuedAt    time.Time `json:"issued_at"`
}

// RotateRefreshToken retires Old and stores New in its place.
type RotateRefreshToken struct {
	TravellerID string
	Old, New    string
	Lifetime    time.Duration
}

func (c RotateRefreshToken) Apply(ctx context.Context, s storage.Store) error {
	raw, err := json.Marshal(RefreshToken{TravellerID: c.TravellerID, IssuedAt: time.Now()})
	if err != nil {
		return err
	}
	if err := s.Put(ctx, "refresh:"+c.New, raw, storage.WithTTL(c.Lifetime)); err != nil {
		return err
	}
	return s.Delete(ctx, "refresh:"+c.Old) // EXPECT kvsession
}
