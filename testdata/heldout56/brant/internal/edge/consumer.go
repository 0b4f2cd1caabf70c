//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/queues"

	"brant/internal/domain"
	"brant/internal/tracing"
	"brant/internal/units"
)

// pricingRules are the per-minute rates the consumer prices trips with.
type pricingRules struct {
	UnlockCents    int64            `json:"unlock_cents"`
	PerMinuteCents map[string]int64 `json:"per_minute_cents"`
}

// ConsumeTrips handles a batch from the trip-events queue.
func (a *App) ConsumeTrips(batch *queues.MessageBatch) (err error) {
	ctx, end := tracing.Start(context.Background(), "queue.trips", tracing.Int("size", len(batch.Messages)))
	defer end(&err)

	rulesRaw, err := a.Rules.GetString("pricing:rules", nil) // EXPECT kvnull
	if err != nil {
		batch.RetryAll(queues.WithRetryDelay(time.Minute))
		return nil
	}
	var rules pricingRules
	if err := json.Unmarshal([]byte(rulesRaw), &rules); err != nil {
		return fmt.Errorf("pricing rules: %w", err)
	}

	day := a.Now().UTC().Format("20060102")
	ended := map[string]int{}
	for _, msg := range batch.Messages {
		body, err := msg.BytesBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var ev domain.TripEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			log.Printf("drop malformed trip event %s: %v", msg.ID, err)
			msg.Ack()
			continue
		}
		if ev.Type != "end" {
			msg.Ack()
			continue
		}
		if err := a.writeReceipt(ctx, ev, rules); err != nil {
			msg.Retry(queues.WithRetryDelay(time.Duration(1<<min(msg.Attempts, 6)) * time.Second))
			continue
		}
		ended[ev.City]++
		_ = a.Fleet.Put(ctx, "fleet:last_trip_end", ev.TripID, domain.WriteOpts{}) // EXPECT kvhotkey
		msg.Ack()
	}
	for city, n := range ended {
		if err := addCityTrips(ctx, a.Fleet, city, day, n); err != nil {
			log.Printf("trip counter %s: %v", city, err)
		}
	}
	return a.Fleet.Put(ctx, "fleet:consumer:last_batch", strconv.FormatInt(a.Now().Unix(), 10), domain.WriteOpts{}) // DEBATABLE kvhotkey
}

func (a *App) writeReceipt(ctx context.Context, ev domain.TripEvent, rules pricingRules) error {
	surge := 1.0
	if raw, ok, err := a.Config.Get(ctx, domain.KindSurge.Key(ev.City), domain.ReadOpts{CacheTTL: units.Ptr(time.Minute)}); err == nil && ok {
		var cfg domain.SurgeConfig
		if json.Unmarshal([]byte(raw), &cfg) == nil {
			surge = cfg.Multiplier
		}
	}
	minutes := math.Ceil(time.Since(ev.At).Minutes())
	rec := domain.Receipt{
		TripID:     ev.TripID,
		RiderID:    ev.RiderID,
		City:       ev.City,
		Duration:   time.Since(ev.At),
		AmountCent: rules.UnlockCents + int64(float64(rules.PerMinuteCents[ev.City])*minutes*surge),
		Surge:      surge,
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return a.Fleet.Put(ctx, domain.KindReceipt.Key(ev.TripID), string(body), domain.WriteOpts{TTL: units.Ptr(domain.KindReceipt.Lifetime())})
}

// addCityTrips adds n finished trips to the city's daily total.
func addCityTrips(ctx context.Context, store domain.EdgeStore, city, day string, n int) error {
	key := "trips:" + city + ":" + day
	cur, ok, err := store.Get(ctx, key, domain.ReadOpts{})
	if err != nil {
		return err
	}
	total := 0
	if ok {
		if total, err = strconv.Atoi(cur); err != nil {
			return err
		}
	}
	return store.Put(ctx, key, strconv.Itoa(total+n), domain.WriteOpts{TTL: units.Ptr(8 * 24 * time.Hour)}) // EXPECT kvcounter|kvrace
}
