// Package matchmaking accepts matchmaking tickets and keeps the per-region
// pools the match allocator reads.
package matchmaking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/retry"
	"example.com/arcade/internal/store"
)

// Queue is the kind of queue a ticket waits in.
type Queue int

const (
	Casual Queue = iota
	Ranked
	Quick
)

func (q Queue) String() string {
	switch q {
	case Casual:
		return "casual"
	case Ranked:
		return "ranked"
	case Quick:
		return "quick"
	}
	return "queue(" + strconv.Itoa(int(q)) + ")"
}

func ParseQueue(s string) (Queue, error) {
	for q := Casual; q <= Quick; q++ {
		if q.String() == s {
			return q, nil
		}
	}
	return 0, fmt.Errorf("matchmaking: unknown queue %q", s)
}

// ticketTTL is how long an unmatched ticket stays visible to the allocator.
var ticketTTL = [...]time.Duration{
	Casual: 10 * time.Minute,
	Ranked: 5 * time.Minute,
	Quick:  40 * time.Second, // EXPECT kvttl
}

type Ticket struct {
	ID        string    `json:"id"`
	Player    string    `json:"player"`
	Region    string    `json:"region"`
	Queue     Queue     `json:"queue"`
	Rating    int       `json:"rating"`
	CreatedAt time.Time `json:"createdAt"`
}

// Key returns the ticket's key; the creation time is part of the name so the
// sweeper can age tickets out without reading them.
func (t Ticket) Key() string {
	return keys.Ticket + t.Region + ":" + strconv.FormatInt(t.CreatedAt.Unix(), 10) + "-" + t.ID
}

type Service struct {
	pool store.Store
	cfg  config.MatchmakingConfig
	now  func() time.Time
}

func NewService(s store.Store, cfg config.MatchmakingConfig) *Service {
	return &Service{pool: s, cfg: cfg, now: time.Now}
}

// Submit stores the ticket and adds it to its region/queue pool.
func (s *Service) Submit(ctx context.Context, t Ticket) error {
	if int(t.Queue) >= len(ticketTTL) {
		return fmt.Errorf("matchmaking: bad queue %d", t.Queue)
	}
	t.CreatedAt = s.now().UTC()
	if err := store.PutJSON(ctx, s.pool, t.Key(), t, store.WithTTL(ticketTTL[t.Queue])); err != nil {
		return fmt.Errorf("matchmaking: store ticket: %w", err)
	}
	poolKey := keys.Pool + t.Region + ":" + t.Queue.String()
	return retry.Do(ctx, func() error {
		var ids []string
		raw, err := s.pool.Get(ctx, poolKey)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(raw, &ids); err != nil {
				return fmt.Errorf("%w: pool %s: %v", retry.ErrPermanent, poolKey, err)
			}
		}
		ids = append(ids, t.ID)
		b, _ := json.Marshal(ids)
		return s.pool.Put(ctx, poolKey, b, store.WithTTL(s.cfg.PoolTTL)) // EXPECT kvrace
	})
}

// QueueDepth is the number shown as "players searching" in the client.
func (s *Service) QueueDepth(ctx context.Context, region string) (int, error) {
	page, err := s.pool.List(ctx, keys.Ticket+region+":", store.PageSize(s.cfg.PoolPageSize)) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}

// SweepStale deletes tickets older than maxAge. It runs from cron and stops
// when its time budget is spent; the next run picks up the rest.
func (s *Service) SweepStale(ctx context.Context, region string, maxAge time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SweepBudget)
	defer cancel()
	cutoff := s.now().Add(-maxAge).Unix()
	prefix := keys.Ticket + region + ":"
	removed, cursor := 0, ""
	for {
		select {
		case <-ctx.Done():
			return removed, nil
		default:
		}
		page, err := s.pool.List(ctx, prefix, store.After(cursor), store.PageSize(s.cfg.PoolPageSize))
		if err != nil {
			return removed, err
		}
		for _, k := range page.Keys {
			created, _, ok := strings.Cut(strings.TrimPrefix(k, prefix), "-")
			if !ok {
				continue
			}
			if ts, err := strconv.ParseInt(created, 10, 64); err == nil && ts < cutoff {
				if err := s.pool.Delete(ctx, k); err != nil {
					return removed, err
				}
				removed++
			}
		}
		if page.Complete {
			return removed, nil
		}
		cursor = page.Cursor
	}
}
