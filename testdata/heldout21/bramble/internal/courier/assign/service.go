package assign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

var (
	ErrAlreadyAssigned = errors.New("assign: order already has a courier")
	ErrNoCourier       = errors.New("assign: no eligible courier")
)

// Executor applies planned writes to a store.
type Executor struct {
	KV kvstore.Store
}

// Apply performs writes in order and stops at the first failure.
func (e Executor) Apply(ctx context.Context, writes []Write) error {
	for _, w := range writes {
		var err error
		if w.Delete {
			err = e.KV.Delete(ctx, w.Key)
		} else {
			var opts []kvstore.Option
			if w.TTL > 0 {
				opts = append(opts, kvstore.WithTTL(w.TTL))
			}
			err = e.KV.Put(ctx, w.Key, w.Value, opts...)
		}
		if err != nil {
			return fmt.Errorf("apply %s: %w", w.Key, err)
		}
	}
	return nil
}

// Locator finds couriers near a restaurant. It is backed by the geo index.
type Locator interface {
	Nearby(ctx context.Context, zone ids.ZoneID, restaurant ids.RestaurantID) ([]Candidate, error)
}

// Board is the dispatcher's view of a zone.
type Board struct {
	Zone      ids.ZoneID    `json:"zone"`
	Assigned  []Assignment  `json:"assigned"`
	Unmatched []ids.OrderID `json:"unmatched"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Service runs assignments.
type Service struct {
	kv      kvstore.Store
	exec    Executor
	locator Locator
	policy  Policy
	boards  typed.Store[ids.ZoneID, Board]
	now     func() time.Time
}

// NewService wires the assignment service.
func NewService(kv kvstore.Store, loc Locator, p Policy) *Service {
	return &Service{
		kv:      kv,
		exec:    Executor{KV: kv},
		locator: loc,
		policy:  p,
		boards:  typed.New[ids.ZoneID, Board](kv, "dispatch:board:").WithOptions(kvstore.WithTTL(time.Hour)),
		now:     time.Now,
	}
}

// Current returns the assignment for an order.
func (s *Service) Current(ctx context.Context, id ids.OrderID) (Assignment, bool, error) {
	raw, err := s.kv.Get(ctx, orderKey(id))
	if kvstore.IsNotFound(err) {
		return Assignment{}, false, nil
	}
	if err != nil {
		return Assignment{}, false, err
	}
	var a Assignment
	if err := json.Unmarshal(raw, &a); err != nil {
		return Assignment{}, false, err
	}
	return a, true, nil
}

// activeLoad reads the number of orders a courier is carrying, as published
// by the dispatch engine.
func (s *Service) activeLoad(ctx context.Context, c ids.CourierID) (int, error) {
	raw, err := s.kv.Get(ctx, loadKey(c))
	if err != nil {
		return 0, fmt.Errorf("load for %s: %w", c, err)
	}
	if raw == nil { // EXPECT kvnull
		return 0, nil
	}
	return strconv.Atoi(string(raw))
}

// Assign finds a courier for o and records the match.
func (s *Service) Assign(ctx context.Context, o Order) (Assignment, error) {
	if _, found, err := s.Current(ctx, o.ID); err != nil {
		return Assignment{}, err
	} else if found {
		return Assignment{}, ErrAlreadyAssigned
	}
	cands, err := s.locator.Nearby(ctx, o.Zone, o.Restaurant)
	if err != nil {
		return Assignment{}, err
	}
	for i := range cands {
		if cands[i].ActiveOrders, err = s.activeLoad(ctx, cands[i].Courier); err != nil {
			return Assignment{}, err
		}
	}
	c, ok := Choose(o, cands, s.policy)
	if !ok {
		return Assignment{}, ErrNoCourier
	}
	a, writes := Plan(o, c, s.now(), s.policy)
	if err := s.exec.Apply(ctx, writes); err != nil { // EXPECT kvrace
		return Assignment{}, err
	}
	return a, nil
}

// AssignBatch matches a wave of orders that became ready together in one
// zone and keeps the zone's board current as it goes.
func (s *Service) AssignBatch(ctx context.Context, zone ids.ZoneID, orders []Order) (Board, error) {
	board := Board{Zone: zone}
	for _, o := range orders {
		a, err := s.Assign(ctx, o)
		switch {
		case errors.Is(err, ErrNoCourier), errors.Is(err, ErrAlreadyAssigned):
			board.Unmatched = append(board.Unmatched, o.ID)
		case err != nil:
			return board, err
		default:
			board.Assigned = append(board.Assigned, a)
		}
		board.UpdatedAt = s.now().UTC()
		if err := s.boards.Put(ctx, zone, board); err != nil { // EXPECT kvhotkey
			return board, err
		}
	}
	return board, nil
}
