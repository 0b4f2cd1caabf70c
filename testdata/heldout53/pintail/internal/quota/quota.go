// Package quota enforces how many orders a restaurant accepts per day, as
// agreed in its contract (small kitchens cap their delivery volume).
package quota

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/pintail-eats/pintail/internal/cfkv"
)

// ErrFull is returned once the restaurant reached its daily cap.
var ErrFull = errors.New("quota: restaurant is at capacity for today")

// Key names one restaurant-day.
type Key string

// KeyFor returns the key of a restaurant's usage on day.
func KeyFor(restaurantID string, day time.Time) Key {
	return Key(restaurantID + ":" + day.UTC().Format("2006-01-02"))
}

// Usage is a restaurant's consumption of its daily cap.
type Usage struct {
	RestaurantID string `json:"restaurant_id"`
	Day          string `json:"day"`
	Cap          int    `json:"cap"`
	Used         int    `json:"used"`
}

// Quotas tracks usage.
type Quotas struct {
	usage      cfkv.Store[Key, Usage]
	ns         cfkv.Namespace
	defaultCap int
	log        *slog.Logger

	mu      sync.Mutex
	pending map[string]int
}

// New returns Quotas over ns.
func New(ns cfkv.Namespace, defaultCap int, log *slog.Logger) *Quotas {
	return &Quotas{
		usage:      cfkv.NewJSONStore[Key, Usage](ns, "usage:"),
		ns:         ns,
		defaultCap: defaultCap,
		log:        log,
		pending:    map[string]int{},
	}
}

// Take consumes one order from today's cap.
func (q *Quotas) Take(ctx context.Context, restaurantID string) error {
	now := time.Now()
	k := KeyFor(restaurantID, now)
	u, err := q.usage.Get(ctx, k)
	if cfkv.IsNotFound(err) {
		u = Usage{RestaurantID: restaurantID, Day: now.UTC().Format("2006-01-02"), Cap: q.defaultCap}
	} else if err != nil {
		return err
	}
	if u.Cap > 0 && u.Used >= u.Cap {
		return ErrFull
	}
	u.Used++
	return q.usage.Put(ctx, k, u, 36*time.Hour) // EXPECT kvcounter|kvrace
}

// Remaining reports how many orders are left today.
func (q *Quotas) Remaining(ctx context.Context, restaurantID string) (int, error) {
	u, err := q.usage.Get(ctx, KeyFor(restaurantID, time.Now()))
	if cfkv.IsNotFound(err) {
		return q.defaultCap, nil
	}
	if err != nil {
		return 0, err
	}
	return max(u.Cap-u.Used, 0), nil
}

// Note counts an accepted order in memory; Flush publishes the counts.
func (q *Quotas) Note(restaurantID string) {
	q.mu.Lock()
	q.pending[restaurantID]++
	q.mu.Unlock()
}

// Flush publishes the in-memory counts for the dashboard. It runs on the
// minute tick of the scheduler.
func (q *Quotas) Flush(ctx context.Context) error {
	q.mu.Lock()
	snapshot := make(map[string]int, len(q.pending))
	for rid, n := range q.pending {
		snapshot[rid] = n
	}
	q.mu.Unlock()
	day := time.Now().UTC().Format("2006-01-02")
	for rid, n := range snapshot {
		if err := q.ns.Put(ctx, "orders-count:"+rid+":"+day, []byte(strconv.Itoa(n)), 48*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// Reset clears a restaurant's published count, e.g. after a refund storm.
func (q *Quotas) Reset(ctx context.Context, restaurantID string) error {
	q.mu.Lock()
	delete(q.pending, restaurantID)
	q.mu.Unlock()
	day := time.Now().UTC().Format("2006-01-02")
	return q.ns.Put(ctx, "orders-count:"+restaurantID+":"+day, []byte("0"), 48*time.Hour) // DEBATABLE kvcounter
}

// SetCap stores the contractual cap for today and the following days.
func (q *Quotas) SetCap(ctx context.Context, restaurantID string, cap int, days int) error {
	start := time.Now()
	for d := range days {
		day := start.AddDate(0, 0, d+1)
		u := Usage{RestaurantID: restaurantID, Day: day.UTC().Format("2006-01-02"), Cap: cap}
		if err := q.usage.Put(ctx, KeyFor(restaurantID, day), u, time.Duration(d+2)*24*time.Hour); err != nil {
			return err
		}
	}
	return nil
}
