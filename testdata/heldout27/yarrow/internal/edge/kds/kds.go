// Package kds drives the kitchen display boards: one board per desk
// (grill, fryer, cold station...) listing the tickets it must prepare.
package kds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

// maxClearPages bounds the work done by one Clear call.
const maxClearPages = 20

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Service reads and writes desk boards.
type Service struct {
	store storage.Store
	clock Clock
}

// ProvideService is the constructor used by the wiring in cmd/edge.
func ProvideService(st storage.Store, c Clock) *Service {
	return &Service{store: st, clock: c}
}

func ticketKey(r domain.RestaurantID, o domain.OrderID) string {
	return string(fmt.Appendf(nil, "kds-ticket:%s:%s", r, o))
}

func syncKey(r domain.RestaurantID) string {
	return string(fmt.Appendf(nil, "kds-sync:%s", r))
}

// Board returns a desk's board.
func (s *Service) Board(ctx context.Context, r domain.RestaurantID, d domain.DeskID) (*domain.Board, error) {
	return s.load(ctx, d.BoardKey(r), r, d)
}

func (s *Service) load(ctx context.Context, key string, r domain.RestaurantID, d domain.DeskID) (*domain.Board, error) {
	raw, err := s.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return &domain.Board{Restaurant: r, Desk: d}, nil
	}
	if err != nil {
		return nil, err
	}
	var b domain.Board
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("kds: board %s: %w", key, err)
	}
	return &b, nil
}

func (s *Service) save(ctx context.Context, key string, b *domain.Board) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, raw, storage.WriteOptions{})
}

// Push adds a ticket to a desk's board.
func (s *Service) Push(ctx context.Context, r domain.RestaurantID, d domain.DeskID, t domain.Ticket) error {
	key := d.BoardKey(r)
	b, err := s.load(ctx, key, r, d)
	if err != nil {
		return err
	}
	b.Tickets = append(b.Tickets, t)
	return s.save(ctx, key, b) // EXPECT kvrace
}

// Replace installs the board exactly as the kitchen tablet sent it.
func (s *Service) Replace(ctx context.Context, b *domain.Board) error {
	b.Version = s.clock.Now().UnixNano()
	return s.save(ctx, b.Desk.BoardKey(b.Restaurant), b)
}

// Sync stores each ticket of a tablet upload under its own key.
func (s *Service) Sync(ctx context.Context, r domain.RestaurantID, tickets []domain.Ticket) error {
	for _, t := range tickets {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if err := s.store.Put(ctx, ticketKey(r, t.Order), raw, storage.WriteOptions{TTL: 12 * time.Hour}); err != nil {
			return err
		}
		stamp := strconv.AppendInt(nil, s.clock.Now().UnixMilli(), 10)
		if err := s.store.Put(ctx, syncKey(r), stamp, storage.WriteOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Flash highlights a message on a desk for a short moment.
func (s *Service) Flash(ctx context.Context, r domain.RestaurantID, d domain.DeskID, msg string) error {
	return s.store.Put(ctx, d.FlashKey(r), []byte(msg), storage.WriteOptions{ExpiresAt: time.Now().Add(30 * time.Second)}) // EXPECT kvttl
}

// Clear removes the stored tickets of a restaurant at closing time. It does
// a bounded amount of work per call; the nightly job calls it until it
// reports that nothing is left.
func (s *Service) Clear(ctx context.Context, r domain.RestaurantID) (more bool, err error) {
	prefix := string(fmt.Appendf(nil, "kds-ticket:%s:", r))
	cursor := ""
	for page := 0; page < maxClearPages; page++ {
		if err := ctx.Err(); err != nil {
			return true, err
		}
		p, err := s.store.List(ctx, storage.ListQuery{Prefix: prefix, Cursor: cursor, Limit: 100})
		if err != nil {
			return true, err
		}
		for _, k := range p.Keys {
			if err := s.store.Delete(ctx, k); err != nil {
				return true, err
			}
		}
		if p.Complete {
			return false, nil
		}
		cursor = p.Cursor
	}
	return true, nil
}
