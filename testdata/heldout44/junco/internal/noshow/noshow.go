//go:build !js

// Package noshow keeps per-guest no-show counts in KV, where the Worker
// reads them to decide whether a booking needs a deposit.
package noshow

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"junco/internal/keys"
	"junco/internal/restkv"
)

// Tracker updates no-show counters.
type Tracker struct {
	KV          *restkv.Namespace
	Concurrency int
}

// Record adds one no-show for guestID and returns the new total.
func (t Tracker) Record(ctx context.Context, guestID string) (int, error) {
	key := keys.NoShowCount(guestID)
	raw, ok, err := t.KV.Get(ctx, key)
	if err != nil {
		return 0, err
	}
	n := 0
	if ok {
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("corrupt counter %s: %w", key, err)
		}
	}
	n++
	return n, t.KV.Put(ctx, key, strconv.Itoa(n), 0) // EXPECT kvcounter|kvrace
}

// Lookup returns the stored count, zero if the guest has none.
func (t Tracker) Lookup(ctx context.Context, guestID string) (int, error) {
	raw, ok, err := t.KV.Get(ctx, keys.NoShowCount(guestID))
	if err != nil || !ok {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

type result struct {
	guest string
	err   error
}

// Publish writes the counts computed by the nightly report, one goroutine
// per guest.
func (t Tracker) Publish(ctx context.Context, counts map[string]int) error {
	guests := slices.Sorted(maps.Keys(counts))
	results := make(chan result, len(guests))
	var wg sync.WaitGroup
	for _, g := range guests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := t.KV.Put(ctx, keys.NoShowCount(g), strconv.Itoa(counts[g]), 0) // EXPECT kvcounter
			results <- result{guest: g, err: err}
		}()
	}
	wg.Wait()
	close(results)
	failed := 0
	for r := range results {
		if r.err != nil {
			log.Printf("publish %s: %v", r.guest, r.err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d counters failed", failed, len(guests))
	}
	return nil
}

// PublishFlags writes a per-guest deposit flag for every guest over the
// threshold, in one bulk request per 10,000 guests.
func (t Tracker) PublishFlags(ctx context.Context, counts map[string]int, threshold int) error {
	var pairs []restkv.Pair
	for _, g := range slices.Sorted(maps.Keys(counts)) {
		if counts[g] < threshold {
			continue
		}
		pairs = append(pairs, restkv.Pair{
			Key:      "depositflag:" + g,
			Value:    "required",
			TTL:      365 * 24 * time.Hour,
			Metadata: map[string]any{"no_shows": counts[g]},
		})
	}
	failed, err := t.KV.BulkPut(ctx, pairs)
	if len(failed) > 0 {
		log.Printf("PublishFlags: %d keys to retry", len(failed))
	}
	return err
}

// SMSQuota tracks how many texts a restaurant has sent this month.
type SMSQuota struct {
	KV *restkv.Namespace
}

// Charge records n more texts on top of sentThisMonth, the figure from the
// billing database.
func (q SMSQuota) Charge(ctx context.Context, restaurantID string, sentThisMonth, n int, now time.Time) error {
	key := fmt.Sprintf("quota:sms:%s:%04d-%02d", restaurantID, now.Year(), int(now.Month()))
	used := sentThisMonth + n
	return q.KV.Put(ctx, key, strconv.Itoa(used), 40*24*time.Hour) // EXPECT kvcounter
}
