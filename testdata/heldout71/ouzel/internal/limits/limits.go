// Package limits enforces per-customer request limits on the cart API.
package limits

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
)

// ErrLimited is returned when a customer is over their limit.
var ErrLimited = errors.New("limits: too many requests")

const (
	perMinute   = 120
	burstWindow = 10 * time.Second
)

// Limiter checks request rates.
type Limiter struct {
	kv *kvstore.Store
}

// New returns a Limiter over store.
func New(store *kvstore.Store) *Limiter { return &Limiter{kv: store} }

// Allow counts one request for customer in the current minute.
func (l *Limiter) Allow(ctx context.Context, customer string) error {
	now := time.Now()
	key := fmt.Sprintf("ratelimit:%s:%d", customer, now.Unix()/60)
	n := 0
	raw, err := l.kv.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return nil // fail open: never block checkout on the limiter
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= perMinute {
		return ErrLimited
	}
	return l.kv.Put(ctx, key, []byte(strconv.Itoa(n+1)), 2*time.Minute) // EXPECT kvcounter|kvrace
}

// Burst rejects a second mutation from the same customer inside burstWindow.
func (l *Limiter) Burst(ctx context.Context, customer string) error {
	key := "burst-last:" + customer
	raw, err := l.kv.Get(ctx, key)
	if err == nil {
		if ts, perr := strconv.ParseInt(string(raw), 10, 64); perr == nil && time.Since(time.UnixMilli(ts)) < burstWindow {
			return ErrLimited
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ttl := 3 * burstWindow                                                                // EXPECT kvttl
	return l.kv.Put(ctx, key, []byte(strconv.FormatInt(time.Now().UnixMilli(), 10)), ttl) // DEBATABLE kvrace
}

// Quota accumulates daily API usage per customer in memory and publishes it
// to KV so the account pages can show it.
type Quota struct {
	kv     *kvstore.Store
	mu     sync.Mutex
	counts map[string]int
	day    string
}

// NewQuota returns an empty Quota.
func NewQuota(store *kvstore.Store) *Quota {
	return &Quota{kv: store, counts: map[string]int{}, day: time.Now().UTC().Format("2006-01-02")}
}

// Record counts one call for customer.
func (q *Quota) Record(customer string) {
	q.mu.Lock()
	q.counts[customer]++
	q.mu.Unlock()
}

func endOfDayUTC(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Flush writes the current day's totals. It is called once a minute.
func (q *Quota) Flush(ctx context.Context) error {
	q.mu.Lock()
	snapshot := make(map[string]int, len(q.counts))
	for k, v := range q.counts {
		snapshot[k] = v
	}
	day := q.day
	if today := time.Now().UTC().Format("2006-01-02"); today != q.day {
		q.counts, q.day = map[string]int{}, today
	}
	q.mu.Unlock()

	expires := endOfDayUTC(time.Now()).Add(48 * time.Hour)
	var errs []error
	for customer, n := range snapshot {
		key := "quota:" + customer + ":" + day
		if err := q.kv.PutAt(ctx, key, []byte(strconv.Itoa(n)), expires); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
			continue
		}
		if err := q.kv.Put(ctx, "quota:last-flush", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
