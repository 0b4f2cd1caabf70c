// Package matchmaking accepts matchmaking tickets from game clients and
// exposes the waiting pool to the match allocator.
package matchmaking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

var ErrQuota = errors.New("matchmaking: daily ticket quota exhausted")

// Ticket is a player's request to be matched.
type Ticket struct {
	ID       string    `json:"id"`
	PlayerID string    `json:"player_id"`
	Mode     string    `json:"mode"`
	Region   string    `json:"region"`
	MMR      int       `json:"mmr"`
	Created  time.Time `json:"created"`
}

// Key implements keys.Keyer.
func (t Ticket) Key() string { return keys.Join("mm", "ticket", t.Mode, t.Region, t.ID) }

// Queue stores tickets in the matchmaking namespace.
type Queue struct {
	store      kvstore.Store
	window     time.Duration
	dailyQuota int
}

// NewQueue returns a Queue. window is how long a ticket waits for a match.
func NewQueue(store kvstore.Store, window time.Duration, dailyQuota int) *Queue {
	return &Queue{store: store, window: window, dailyQuota: dailyQuota}
}

// Enqueue stores t on behalf of the client identified by apiKey.
func (q *Queue) Enqueue(ctx context.Context, apiKey string, t Ticket) (Ticket, error) {
	if err := q.charge(ctx, apiKey); err != nil {
		return Ticket{}, err
	}
	t.ID, t.Created = keys.NewID(), time.Now().UTC()
	b, _ := json.Marshal(t)
	meta := map[string]any{"mmr": t.MMR, "player": t.PlayerID}
	err := q.store.Put(ctx, t.Key(), b, kvstore.WithMetadata(meta), kvstore.WithTTL(max(2*q.window, 10*time.Second))) // EXPECT kvttl
	if err != nil {
		return Ticket{}, err
	}
	// Best effort: the ops dashboard shows how long ago the queue last moved.
	_ = q.store.Put(ctx, "mm/last-enqueue", []byte(t.Created.Format(time.RFC3339Nano))) // EXPECT kvhotkey
	return t, nil
}

// charge counts one ticket against the client's daily allowance.
func (q *Queue) charge(ctx context.Context, apiKey string) error {
	k := keys.Join("quota", keys.Hash(apiKey), time.Now().UTC().Format("20060102"))
	n := 0
	raw, err := q.store.Get(ctx, k)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("matchmaking: corrupt quota %s: %w", k, err)
		}
	}
	if n >= q.dailyQuota {
		return ErrQuota
	}
	return q.store.Put(ctx, k, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(36*time.Hour)) // EXPECT kvcounter
}

// Candidate is a waiting ticket as seen by the allocator.
type Candidate struct {
	Key, Player string
	MMR         int
}

// Pool returns up to maxTickets waiting tickets, reading at most maxPages
// pages. The bool reports whether the pool was exhausted.
func (q *Queue) Pool(ctx context.Context, mode, region string, maxTickets, maxPages int) ([]Candidate, bool, error) {
	query := kvstore.ListQuery{Prefix: keys.Join("mm", "ticket", mode, region) + "/", Limit: 1000}
	var out []Candidate
	for range maxPages {
		page, err := q.store.List(ctx, query)
		if err != nil {
			return out, false, err
		}
		for _, k := range page.Keys {
			c := Candidate{Key: k.Name}
			c.Player, _ = k.Metadata["player"].(string)
			mmr, _ := k.Metadata["mmr"].(float64)
			c.MMR = int(mmr)
			if out = append(out, c); len(out) >= maxTickets {
				return out, false, nil
			}
		}
		if page.Complete {
			return out, true, nil
		}
		query.Cursor = page.Cursor
	}
	return out, false, nil
}

// Peek returns a handful of ticket keys for the ops dashboard.
func (q *Queue) Peek(ctx context.Context, mode string) ([]string, string, error) {
	page, err := q.store.List(ctx, kvstore.ListQuery{
		Prefix: keys.Join("mm", "ticket", mode) + "/",
		Limit:  5, // EXPECT kvlimits
	})
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, k.Name)
	}
	return names, page.Cursor, err
}
