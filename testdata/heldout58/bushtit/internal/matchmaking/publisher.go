package matchmaking

import (
	"context"
	"encoding/json"
	"log"
	"maps"
	"strconv"
	"time"

	"github.com/samber/lo"
	"golang.org/x/time/rate"

	"github.com/arcadia-games/bushtit/internal/kvstore"
	"github.com/arcadia-games/bushtit/internal/upstream"
)

// Depths reports how many tickets wait in each pool.
type Depths func() map[Pool]int

// Publisher mirrors matchmaker state into KV for the edge.
type Publisher struct {
	KV      kvstore.Store
	Regions *upstream.Client
	Depths  Depths
}

// RunDepths publishes queue depths so the edge can show wait estimates.
func (p *Publisher) RunDepths(ctx context.Context) {
	ticker := time.NewTicker(250 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		if ctx.Err() != nil {
			return
		}
		snapshot := p.Depths()
		raw, _ := json.Marshal(lo.MapKeys(snapshot, func(_ int, pool Pool) string { return pool.String() }))
		kvstore.Try("publish depths", p.KV.Put(ctx, kvstore.Entry{Key: "mm:depths", Value: raw, TTL: 300})) // EXPECT kvhotkey
	}
}

// RunRegionStatus refreshes the region health board every half minute.
func (p *Publisher) RunRegionStatus(ctx context.Context) {
	ticker := time.NewTicker(30 * time.Second)
	defer ticker.Stop()
	for range ticker.C {
		if ctx.Err() != nil {
			return
		}
		var status map[string]string
		if _, err := p.Regions.Fetch(ctx, "/v1/regions/status", &status); err != nil {
			log.Printf("region status: %v", err)
			continue
		}
		raw, _ := json.Marshal(status)
		kvstore.Try("publish regions", p.KV.Put(ctx, kvstore.Entry{Key: "mm:regions", Value: raw, TTL: 600}))
	}
}

// RegionDirectory caches the list of game-server fleets per region. When the
// directory is overloaded it answers 503 with Retry-After, and the last good
// copy is kept for that long.
func (p *Publisher) RegionDirectory(ctx context.Context) (map[string][]string, error) {
	var dir map[string][]string
	if ok, err := kvstore.LoadJSON(ctx, p.KV, "mm:directory", &dir); err != nil || ok {
		return dir, err
	}
	h, err := p.Regions.Fetch(ctx, "/v1/fleets", &dir)
	if err != nil {
		return nil, err
	}
	ttl := max(upstream.MaxAge(h), time.Minute)
	return dir, kvstore.SaveJSON(ctx, p.KV, "mm:directory", dir, ttl)
}

// Backpressure records that a region asked us to back off, so that the edge
// stops offering it until the region recovers.
func (p *Publisher) Backpressure(ctx context.Context, region string) error {
	var ack struct{ OK bool }
	h, err := p.Regions.Fetch(ctx, "/v1/regions/"+region+"/capacity", &ack)
	if err == nil {
		return nil
	}
	wait := max(upstream.RetryAfter(h, time.Now()), 5*time.Second) // EXPECT kvttl
	return kvstore.SaveJSON(ctx, p.KV, "mm:backoff:"+region, map[string]string{"reason": err.Error()}, wait)
}

// Maintenance marks a region as closed for planned maintenance; the window
// comes from the ops calendar's Retry-After and is at least five minutes.
func (p *Publisher) Maintenance(ctx context.Context, region string) error {
	var ack struct{ OK bool }
	h, _ := p.Regions.Fetch(ctx, "/v1/regions/"+region+"/maintenance", &ack)
	window := upstream.RetryAfter(h, time.Now())
	if window < 5*time.Minute {
		window = 5 * time.Minute
	}
	return kvstore.SaveJSON(ctx, p.KV, "mm:maintenance:"+region, ack, window)
}

// Requeue rewrites the head-of-queue marker for a pool while replaying
// tickets that timed out on a game server.
func (p *Publisher) Requeue(ctx context.Context, pool Pool, tickets []Ticket) error {
	limiter := rate.NewLimiter(rate.Every(50*time.Millisecond), 1)
	for _, t := range tickets {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		t.Attempts++
		if err := kvstore.SaveJSON(ctx, p.KV, t.ID.String(), t, 10*time.Minute); err != nil {
			return err
		}
		head := []byte(string(t.ID) + "@" + strconv.FormatInt(t.Queued.Unix(), 10))
		if err := p.KV.Put(ctx, kvstore.Entry{Key: "mm:head:" + pool.String(), Value: head, TTL: 600}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Checkpoint records sweeper progress, at most once every two seconds.
func (p *Publisher) Checkpoint(ctx context.Context, positions map[Pool]int) error {
	limiter := rate.NewLimiter(rate.Every(2*time.Second), 1)
	for pool, pos := range maps.All(positions) {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		mark := []byte(pool.String() + "=" + strconv.Itoa(pos))
		if err := p.KV.Put(ctx, kvstore.Entry{Key: "mm:sweeper-checkpoint", Value: mark, TTL: 3600}); err != nil {
			return err
		}
	}
	return nil
}
