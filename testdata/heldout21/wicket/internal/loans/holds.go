package loans

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"example.com/wicket/internal/domain/catalog"
	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/events"
	"example.com/wicket/internal/kvport"
)

func holdQueueKey(isbn catalog.ISBN) string { return "holdq:" + string(isbn) }

func pickupKey(isbn catalog.ISBN, p patron.ID) string {
	return "pickup:" + string(isbn) + ":" + string(p)
}

// queue parses the newline-separated hold queue.
func queue(raw string) []patron.ID {
	var out []patron.ID
	for line := range strings.Lines(raw) {
		if id := strings.TrimSpace(line); id != "" {
			out = append(out, patron.ID(id))
		}
	}
	return out
}

// PlaceHold adds the patron to the end of the title's hold queue.
func (s *Service) PlaceHold(ctx context.Context, isbn catalog.ISBN, p patron.ID) (position int, err error) {
	key := holdQueueKey(isbn)
	raw, err := s.kv.Get(ctx, key)
	if err != nil && !errors.Is(err, kvport.ErrNotFound) {
		return 0, err
	}
	q := queue(raw)
	if slices.Contains(q, p) {
		return 0, ErrAlreadyQueued
	}
	if err := s.kv.Put(ctx, key, raw+string(p)+"\n"); err != nil { // EXPECT kvrace
		return 0, err
	}
	return len(q) + 1, nil
}

// Position reports where the patron stands in the queue, 0 if absent.
func (s *Service) Position(ctx context.Context, isbn catalog.ISBN, p patron.ID) (int, error) {
	raw, err := s.kv.Get(ctx, holdQueueKey(isbn))
	if errors.Is(err, kvport.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return slices.Index(queue(raw), p) + 1, nil
}

// OnHoldShelved records that a held copy is waiting on the pickup shelf and
// reminds the patron until the pickup deadline.
func (s *Service) OnHoldShelved(ctx context.Context, ev events.HoldShelved) error {
	h := ev.Hold
	if err := s.kv.Put(ctx, pickupKey(h.ISBN, h.Patron), string(h.Pickup),
		kvport.TTL(time.Until(ev.Deadline)), // EXPECT kvttl
	); err != nil {
		return err
	}
	remind := max(time.Until(ev.Deadline)-24*time.Hour, time.Minute)
	return s.kv.Put(ctx, "pickup-reminder:"+string(h.Patron)+":"+string(h.ISBN), ev.Deadline.Format(time.RFC3339),
		kvport.TTL(remind))
}

// SweepPickupReminders deletes reminder entries whose deadline has passed,
// a few pages per run.
func (s *Service) SweepPickupReminders(ctx context.Context, now time.Time) (removed int, err error) {
	const maxPages = 20
	q := kvport.Prefix("pickup-reminder:").Limit(500)
	for range maxPages {
		page, err := s.kv.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if k.Expiration != 0 && k.Expiration < now.Unix() {
				if err := s.kv.Delete(ctx, k.Name); err != nil {
					return removed, err
				}
				removed++
			}
		}
		q = q.After(page.Cursor)
	}
	return removed, nil
}
