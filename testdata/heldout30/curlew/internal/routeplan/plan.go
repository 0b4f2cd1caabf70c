// Package routeplan stores the route plans the optimiser produces and the
// dispatchers edit during the day.
package routeplan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/repo"
)

// ErrLocked is returned when a plan is already out for delivery.
var ErrLocked = errors.New("routeplan: plan is locked")

// Stop is one delivery address on a route.
type Stop struct {
	ID       string `json:"id"`
	ParcelID string `json:"parcel_id"`
	Address  string `json:"address"`
}

// Plan is a route for one van and one day.
type Plan struct {
	ID      string
	DepotID string
	Day     string
	Courier string
	Locked  bool
	Stops   []Stop
}

type planRecord struct {
	Depot   string    `json:"depot"`
	Day     string    `json:"day"`
	Courier string    `json:"courier,omitempty"`
	Locked  bool      `json:"locked"`
	Stops   []Stop    `json:"stops"`
	Updated time.Time `json:"updated"`
}

func fromRecord(id string, r planRecord) Plan {
	return Plan{ID: id, DepotID: r.Depot, Day: r.Day, Courier: r.Courier, Locked: r.Locked, Stops: r.Stops}
}

// Plans live for three days: today, plus two for exception handling.
const planLifetime = 72 * time.Hour

// The printable manifest is cached briefly; dispatchers reprint often
// during the morning load-out.
const (
	manifestCacheBase = 20 * time.Second
	manifestJitter    = 15 * time.Second
)

// Service manages route plans.
type Service struct {
	store kv.Store
	plans *repo.Repo[planRecord]
	now   func() time.Time
}

// NewService returns a plan service on s.
func NewService(s kv.Store) *Service {
	return &Service{
		store: s,
		plans: repo.New(s, "plan:", repo.WithTTL[planRecord](planLifetime), repo.WithMetadata(func(r planRecord) any {
			return map[string]any{"depot": r.Depot, "stops": len(r.Stops), "courier": r.Courier}
		})),
		now: time.Now,
	}
}

// Get returns a plan.
func (s *Service) Get(ctx context.Context, id string) (Plan, error) {
	r, err := s.plans.Get(ctx, id)
	if err != nil {
		return Plan{}, err
	}
	return fromRecord(id, r), nil
}

// AddStop appends a stop to a plan. Dispatchers call it from the planning
// board when a late parcel arrives at the depot.
func (s *Service) AddStop(ctx context.Context, id string, stop Stop) error {
	now := s.now()
	return s.plans.Modify(ctx, id, func(r *planRecord) error { // EXPECT kvrace
		if r.Locked {
			return ErrLocked
		}
		if slices.ContainsFunc(r.Stops, func(x Stop) bool { return x.ParcelID == stop.ParcelID }) {
			return nil
		}
		r.Stops = append(r.Stops, stop)
		r.Updated = now
		return nil
	})
}

// AssignCourier records which courier drives a plan. The assignment lives
// under its own key so it never rewrites the plan itself.
func (s *Service) AssignCourier(ctx context.Context, routeID, courierID string) error {
	return s.store.Put(ctx, "plan-assign:"+routeID, []byte(courierID), kv.WithTTL(planLifetime))
}

// Stops returns the stops of a plan for the courier app.
func (s *Service) Stops(ctx context.Context, routeID string) ([]Stop, error) {
	raw, _ := s.store.Get(ctx, s.plans.Key(routeID)) // EXPECT kvnull
	var r planRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("routeplan: decode %s: %w", routeID, err)
	}
	return r.Stops, nil
}

// Manifest returns the printable manifest of a plan, cached for reprints.
func (s *Service) Manifest(ctx context.Context, id string, render func(Plan) []byte) ([]byte, error) {
	key := "manifest:" + id
	out, err := s.store.Get(ctx, key)
	if err == nil {
		return out, nil
	}
	if !kv.IsNotFound(err) {
		return nil, err
	}
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out = render(p)
	if err := s.store.Put(ctx, key, out, kv.WithTTL(manifestCacheBase+rand.N(manifestJitter))); err != nil { // EXPECT kvttl
		return nil, err
	}
	return out, nil
}

// MarkDelivered records delivered stops reported by the courier app in one
// sync, so the dispatcher board can show the last completed stop.
func (s *Service) MarkDelivered(ctx context.Context, routeID string, stopIDs []string) error {
	for _, id := range stopIDs {
		progress, _ := json.Marshal(map[string]any{"stop": id, "at": s.now().UTC()})
		if err := s.store.Put(ctx, "plan-progress:"+routeID, progress, kv.WithTTL(planLifetime)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
