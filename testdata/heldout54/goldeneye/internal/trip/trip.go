// Package trip keeps the live state of trips. State changes from the driver
// and rider apps are serialised through one background goroutine so that the
// HTTP handlers can answer immediately.
package trip

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"goldeneye/internal/kvstore"
)

// ErrBadTransition is returned when a status change is not allowed.
var ErrBadTransition = errors.New("trip: transition not allowed")

// ErrUnknown is returned for a trip that is not in the store.
var ErrUnknown = errors.New("trip: unknown")

// Event is one entry of a trip's timeline.
type Event struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	By   string    `json:"by,omitempty"`
}

// Trip is the live record of a trip.
type Trip struct {
	ID        string    `json:"id"`
	Rider     string    `json:"rider"`
	Driver    string    `json:"driver,omitempty"`
	Status    string    `json:"status"`
	Zone      string    `json:"zone"`
	FareCents int       `json:"fare_cents"`
	ETA       time.Time `json:"eta"`
	UpdatedAt time.Time `json:"updated_at"`
	Events    []Event   `json:"events"`
}

// Job is a unit of work run by the background goroutine.
type Job func(ctx context.Context) error

// Service owns trip state in KV.
type Service struct {
	ns     kvstore.Namespace
	jobs   chan Job
	log    *slog.Logger
	keyOf  func(id string) string
	ttlFor func(*Trip) time.Duration
}

// NewService returns a Service. Call Run in its own goroutine.
func NewService(ns kvstore.Namespace, log *slog.Logger) *Service {
	return &Service{
		ns:    ns,
		jobs:  make(chan Job, 256),
		log:   log,
		keyOf: func(id string) string { return "trip:" + id },
		ttlFor: func(t *Trip) time.Duration {
			switch t.Status {
			case "completed", "cancelled":
				return 48 * time.Hour
			}
			return max(time.Until(t.ETA)+2*time.Hour, time.Hour)
		},
	}
}

// Run executes queued jobs until ctx is done.
func (s *Service) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-s.jobs:
			jctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if err := job(jctx); err != nil {
				s.log.Warn("trip job failed", "err", err)
			}
			cancel()
		}
	}
}

func (s *Service) enqueue(j Job) error {
	select {
	case s.jobs <- j:
		return nil
	default:
		return errors.New("trip: queue full")
	}
}

var transitions = map[string][]string{
	"requested": {"matched", "cancelled"},
	"matched":   {"arriving", "cancelled"},
	"arriving":  {"on_trip", "cancelled"},
	"on_trip":   {"completed"},
}

func allowed(from, to string) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Open stores a new trip request.
func (s *Service) Open(ctx context.Context, t *Trip) error {
	t.Status = "requested"
	t.UpdatedAt = time.Now().UTC()
	t.Events = []Event{{At: t.UpdatedAt, Kind: "requested", By: t.Rider}}
	return kvstore.Save(ctx, s.ns, s.keyOf(t.ID), t, s.ttlFor(t))
}

// Get fills dst with the trip.
func (s *Service) Get(ctx context.Context, id string, dst *Trip) error {
	err := kvstore.Load(ctx, s.ns, s.keyOf(id), dst)
	if errors.Is(err, kvstore.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrUnknown, id)
	}
	return err
}

// Advance queues a status change made by actor.
func (s *Service) Advance(id, status, actor string) error {
	return s.enqueue(func(ctx context.Context) error {
		var t Trip
		if err := s.Get(ctx, id, &t); err != nil {
			return err
		}
		if !allowed(t.Status, status) {
			return fmt.Errorf("%w: %s -> %s", ErrBadTransition, t.Status, status)
		}
		t.Status = status
		t.UpdatedAt = time.Now().UTC()
		t.Events = append(t.Events, Event{At: t.UpdatedAt, Kind: status, By: actor})
		return kvstore.Save(ctx, s.ns, s.keyOf(id), &t, s.ttlFor(&t)) // EXPECT kvrace
	})
}

// Note queues a timeline entry that does not change the status.
func (s *Service) Note(id, kind, actor string) error {
	return s.enqueue(func(ctx context.Context) error {
		key := s.keyOf(id)
		raw, err := s.ns.Get(ctx, key)
		if err != nil {
			return err
		}
		var t Trip
		if err := json.Unmarshal(raw, &t); err != nil {
			return err
		}
		t.Events = append(t.Events, Event{At: time.Now().UTC(), Kind: kind, By: actor})
		out, err := json.Marshal(&t)
		if err != nil {
			return err
		}
		return s.ns.Put(ctx, key, out, s.ttlFor(&t)) // EXPECT kvrace
	})
}

// Annotate appends a free-text driver remark to the trip's remarks record.
func (s *Service) Annotate(ctx context.Context, id, remark string) error {
	return kvstore.Mutate(ctx, s.ns, "trip-remarks:"+id, 72*time.Hour, func(cur []byte) ([]byte, error) {
		var remarks []string
		if len(cur) > 0 {
			if err := json.Unmarshal(cur, &remarks); err != nil {
				return nil, err
			}
		}
		return json.Marshal(append(remarks, remark))
	})
}

// PublishETA writes the rider-facing ETA so the edge can render it without
// calling the dispatch API.
func (s *Service) PublishETA(ctx context.Context, id string, eta time.Time) error {
	var body struct {
		Trip string    `json:"trip"`
		ETA  time.Time `json:"eta"`
	}
	body.Trip, body.ETA = id, eta
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	ttl := max(time.Until(eta), 15*time.Second) // EXPECT kvttl
	return s.ns.Put(ctx, "eta:"+id, raw, ttl)
}

// Offer is a trip offered to a driver.
type Offer struct {
	Trip    string  `json:"trip"`
	Pickup  string  `json:"pickup"`
	Fare    int     `json:"fare_cents"`
	Surge   float64 `json:"surge"`
	Expires int64   `json:"expires"`
}

// PushOffers makes the queued offers visible to the driver's app, which polls
// the edge for its current offer.
func (s *Service) PushOffers(ctx context.Context, driverID string, offers []Offer) error {
	key := "offer:drv:" + driverID
	for _, o := range offers {
		raw, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := s.ns.Put(ctx, key, raw, 2*time.Minute); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// PublishFares writes each trip's fare under its own key for the receipts
// service.
func (s *Service) PublishFares(ctx context.Context, trips []Trip) error {
	for _, t := range trips {
		if t.Status != "completed" {
			continue
		}
		if err := s.ns.Put(ctx, "fare:"+t.ID, []byte(strconv.Itoa(t.FareCents)), 7*24*time.Hour); err != nil {
			return err
		}
	}
	return nil
}

// Submit queues an arbitrary job on the trip goroutine.
func (s *Service) Submit(j Job) error { return s.enqueue(j) }
