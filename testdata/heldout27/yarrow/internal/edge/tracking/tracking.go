// Package tracking keeps the customer-visible status of orders.
package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
	"example.com/yarrow/internal/svc"
)

// ErrUnknownOrder is returned for orders that are not tracked (any more).
var ErrUnknownOrder = errors.New("tracking: unknown order")

// ErrBadTransition rejects status changes that go backwards.
var ErrBadTransition = errors.New("tracking: invalid status transition")

// Clock tells the time.
type Clock interface{ Now() time.Time }

var rank = map[domain.OrderStatus]int{
	domain.StatusPlaced: 0, domain.StatusAccepted: 1, domain.StatusCooking: 2,
	domain.StatusReady: 3, domain.StatusPickedUp: 4, domain.StatusDelivered: 5,
	domain.StatusCancelled: 6,
}

// Service embeds the persistence skeleton and overrides the expiry hook;
// validation is inherited from the defaults.
type Service struct {
	svc.Base
	svc.DefaultHooks
	clock Clock
	ttl   time.Duration
}

var _ svc.Hooks = (*Service)(nil)

// ProvideService is the constructor used by the wiring in cmd/edge. onSave
// is called after every timeline write.
func ProvideService(st storage.Store, c Clock, cfg config.Config, onSave func(ctx context.Context, key string, value []byte) error) *Service {
	s := &Service{Base: svc.NewBase("tracking", st), clock: c, ttl: cfg.TrackingTTL()}
	s.Hooks = s
	s.OnSave = onSave
	return s
}

// Expiry implements svc.Hooks.
func (s *Service) Expiry(key string) storage.WriteOptions {
	if strings.HasPrefix(key, "handoff:") {
		return storage.WriteOptions{TTL: 90 * time.Second}
	}
	return storage.WriteOptions{TTL: s.ttl}
}

// Start begins tracking a freshly placed order.
func (s *Service) Start(ctx context.Context, o *domain.Order) error {
	t := domain.Timeline{Restaurant: o.Restaurant, Order: o.ID, Steps: []domain.Step{{Status: domain.StatusPlaced, At: o.PlacedAt}}}
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := s.Persist(ctx, t.Key(), raw); err != nil {
		return err
	}
	return s.setPromise(ctx, o)
}

// setPromise records the promised delivery time, kept until it has passed.
func (s *Service) setPromise(ctx context.Context, o *domain.Order) error {
	ttl := o.PromisedAt.Sub(s.clock.Now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	stamp := []byte(o.PromisedAt.UTC().Format(time.RFC3339))
	return s.Store.Put(ctx, "promise:"+string(o.ID), stamp, storage.WriteOptions{TTL: ttl})
}

// Advance appends a status step.
func (s *Service) Advance(ctx context.Context, r domain.RestaurantID, o domain.OrderID, st domain.OrderStatus, note string) error {
	now := s.clock.Now()
	err := storage.Mutate(ctx, s.Store, domain.TimelineID(r, o), storage.WriteOptions{TTL: s.ttl}, func(t *domain.Timeline) error {
		if rank[st] <= rank[t.Current()] {
			return fmt.Errorf("%w: %s -> %s", ErrBadTransition, t.Current(), st)
		}
		t.Steps = append(t.Steps, domain.Step{Status: st, At: now, Note: note})
		return nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrUnknownOrder, o)
	}
	return err
}

// Timeline returns an order's timeline.
func (s *Service) Timeline(ctx context.Context, r domain.RestaurantID, o domain.OrderID) (*domain.Timeline, error) {
	raw, err := s.Fetch(ctx, o.TrackKey(r))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownOrder, o)
	}
	if err != nil {
		return nil, err
	}
	var t domain.Timeline
	return &t, json.Unmarshal(raw, &t)
}

// SetETA stores the courier's live arrival estimate for an order.
func (s *Service) SetETA(ctx context.Context, o domain.OrderID, eta time.Time) error {
	raw := []byte(eta.UTC().Format(time.RFC3339))
	return s.Store.Put(ctx, o.ETAKey(), raw, storage.WriteOptions{TTL: time.Until(eta)}) // EXPECT kvttl
}

// ShowHandoff displays the pick-up code for the courier at the counter.
func (s *Service) ShowHandoff(ctx context.Context, o domain.OrderID, code string) error {
	return s.Persist(ctx, "handoff:"+string(o), []byte(code))
}

// ActiveOrders lists the tracked orders of a restaurant.
func (s *Service) ActiveOrders(ctx context.Context, r domain.RestaurantID) ([]domain.OrderID, error) {
	prefix := r.OrdersPrefix()
	var ids []domain.OrderID
	cursor := ""
	for {
		page, err := s.Store.List(ctx, storage.ListQuery{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			ids = append(ids, domain.OrderID(strings.TrimPrefix(k, prefix)))
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return ids, nil
}
