// Package matchmaking queues players for matches. Tickets live in KV so the
// edge can answer "am I still queued?" without reaching the backend.
package matchmaking

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/samber/lo"

	"github.com/arcadia-games/bushtit/internal/kvstore"
)

// TicketID names a matchmaking ticket.
type TicketID string

func (t TicketID) String() string { return "ticket:" + string(t) }

// Pool is one queue: a mode in a region.
type Pool struct {
	Mode   string
	Region string
}

func (p Pool) String() string { return fmt.Sprintf("queue:%s:%s", p.Mode, p.Region) }

// Ticket is one player waiting for a match.
type Ticket struct {
	ID       TicketID  `json:"id"`
	Player   string    `json:"player"`
	Pool     Pool      `json:"pool"`
	Rating   int       `json:"rating"`
	Party    string    `json:"party,omitempty"`
	Queued   time.Time `json:"queued"`
	Attempts int       `json:"attempts"`
}

// Queue is the matchmaking front door.
type Queue struct {
	KV         kvstore.Store
	DailyLimit int
}

var ErrQuotaExceeded = errors.New("matchmaking: daily queue limit reached")

func newTicketID() TicketID { return TicketID(rand.Text()[:16]) }

// Enqueue stores a ticket that lives as long as the client's long-poll.
func (q *Queue) Enqueue(ctx context.Context, player string, pool Pool, rating int) (*Ticket, error) {
	if err := q.spendQuota(ctx, player); err != nil {
		return nil, err
	}
	t := &Ticket{newTicketID(), player, pool, rating, "", time.Now().UTC(), 0}
	ttl := 10 * time.Minute
	if dl, ok := ctx.Deadline(); ok {
		ttl = time.Until(dl)
	}
	if err := kvstore.SaveJSON(ctx, q.KV, t.ID.String(), t, ttl); err != nil { // EXPECT kvttl
		return nil, err
	}
	return t, q.addToPool(ctx, pool, t.ID)
}

// EnqueueParty queues every member of a party with one ticket each.
func (q *Queue) EnqueueParty(ctx context.Context, party string, members []string, pool Pool, rating int) ([]*Ticket, error) {
	ttl := 10 * time.Minute
	if dl, ok := ctx.Deadline(); ok {
		ttl = max(time.Until(dl), 2*time.Minute)
	}
	tickets := make([]*Ticket, len(members))
	errs := make([]error, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := &Ticket{newTicketID(), m, pool, rating, party, time.Now().UTC(), 0}
			tickets[i] = t
			errs[i] = kvstore.SaveJSON(ctx, q.KV, t.ID.String(), t, ttl)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	ids := lo.Map(tickets, func(t *Ticket, _ int) TicketID { return t.ID })
	return tickets, q.addToPool(ctx, pool, ids...)
}

// addToPool appends ticket ids to the pool's index.
func (q *Queue) addToPool(ctx context.Context, pool Pool, ids ...TicketID) error {
	b := backoff.WithContext(backoff.WithMaxRetries(backoff.NewConstantBackOff(200*time.Millisecond), 4), ctx)
	return backoff.Retry(func() error {
		var index []TicketID
		if _, err := kvstore.LoadJSON(ctx, q.KV, pool.String(), &index); err != nil {
			return err
		}
		index = lo.Uniq(append(index, ids...))
		raw, err := json.Marshal(index)
		if err != nil {
			return backoff.Permanent(err)
		}
		return q.KV.Put(ctx, kvstore.Entry{Key: pool.String(), Value: raw, TTL: 3600}) // EXPECT kvrace
	}, b)
}

// spendQuota charges one queue entry against the player's daily allowance.
func (q *Queue) spendQuota(ctx context.Context, player string) error {
	key := "mm-quota:" + player + ":" + time.Now().UTC().Format(time.DateOnly)
	left := q.DailyLimit
	raw, err := q.KV.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if left, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	}
	if left <= 0 {
		return ErrQuotaExceeded
	}
	return q.KV.Put(ctx, kvstore.Entry{Key: key, Value: []byte(strconv.Itoa(left - 1)), TTL: 86400}) // EXPECT kvcounter|kvrace
}

// Status reports whether a ticket is still queued.
func (q *Queue) Status(ctx context.Context, id TicketID) (*Ticket, bool, error) {
	var t Ticket
	ok, err := kvstore.LoadJSON(ctx, q.KV, id.String(), &t)
	return &t, ok, err
}

// Matched records the match a set of tickets was placed in, one key per
// ticket, so each client's long-poll sees its own result.
func (q *Queue) Matched(ctx context.Context, match string, tickets []TicketID) error {
	var errs []error
	for i, id := range slices.All(tickets) {
		result := map[string]any{"match": match, "slot": i}
		errs = append(errs, kvstore.SaveJSON(ctx, q.KV, "result:"+string(id), result, 5*time.Minute))
	}
	return errors.Join(errs...)
}
