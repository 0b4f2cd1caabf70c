//go:build js && wasm

// Package telemetry ingests vehicle position pings from the gateway queue and
// serves last-known positions to the dashboard.
package telemetry

import (
	"encoding/json"
	"log"
	"strconv"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/patrickmn/go-cache"
	"github.com/sourcegraph/conc/pool"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/fleetgrid/greenshank/internal/edgekv"
	"github.com/fleetgrid/greenshank/internal/fleet"
)

const (
	positionTTL        = 7 * 24 * time.Hour
	trailTTL           = 6 * time.Hour
	trailLen           = 50
	ingestWatermarkKey = "ingest:watermark"
)

// Service owns the position keys (pos:, live:, trail:).
type Service struct {
	validate *validator.Validate
	recent   *cache.Cache
}

// New returns a Service. The in-isolate cache absorbs dashboard polling bursts
// that hit the same vehicle within a few seconds.
func New(v *validator.Validate) *Service {
	return &Service{
		validate: v,
		recent:   cache.New(20*time.Second, time.Minute),
	}
}

// Consume handles one batch from the "positions" queue. Gateways enqueue one
// message per ping; a batch holds up to 100 pings from many vehicles.
func (s *Service) Consume(batch *queues.MessageBatch) error {
	store, err := edgekv.Open(edgekv.Binding)
	if err != nil {
		batch.RetryAll()
		return err
	}

	latest := make(map[string]fleet.Position, len(batch.Messages))
	perDevice := make(map[string]int)
	for _, msg := range batch.Messages {
		body, err := msg.BytesBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var p fleet.Position
		if err := json.Unmarshal(body, &p); err != nil {
			log.Printf("positions: drop %s: %v", msg.ID, err)
			msg.Ack()
			continue
		}
		if err := s.validate.Struct(p); err != nil {
			log.Printf("positions: invalid %s: %v", msg.ID, err)
			msg.Ack()
			continue
		}
		key := fleet.PositionKey(p.TenantID, p.VehicleID)
		if prev, ok := latest[key]; !ok || p.RecordedAt.After(prev.RecordedAt) {
			latest[key] = p
		}
		perDevice[p.DeviceID]++
		if err := store.Put(ingestWatermarkKey, p.RecordedAt.UTC().Format(time.RFC3339Nano), 0); err != nil { // EXPECT kvhotkey
			msg.Retry()
			continue
		}
		msg.Ack()
	}

	// One write per vehicle per batch, whatever the number of pings.
	p := pool.New().WithErrors().WithMaxGoroutines(6)
	for key, pos := range latest {
		p.Go(func() error {
			b, err := json.Marshal(pos)
			if err != nil {
				return err
			}
			if err := store.Put(key, string(b), positionTTL); err != nil {
				return err
			}
			return appendTrail(store, fleet.TrailKey(pos.TenantID, pos.VehicleID), pos)
		})
	}
	if err := p.Wait(); err != nil {
		return err
	}

	for dev, n := range perDevice {
		if err := bumpDeviceCount(store, dev, n); err != nil {
			log.Printf("positions: count for %s: %v", dev, err)
		}
	}
	return nil
}

// appendTrail keeps the last trailLen positions of a vehicle for the map's
// breadcrumb line.
func appendTrail(store *edgekv.Store, key string, p fleet.Position) error {
	return store.Update(key, trailTTL, func(cur string, found bool) (string, error) {
		var trail []fleet.Position
		if found {
			if err := json.Unmarshal([]byte(cur), &trail); err != nil {
				return "", err
			}
		}
		if n := len(trail); n > 0 && !p.RecordedAt.After(trail[n-1].RecordedAt) {
			return cur, nil
		}
		trail = append(trail, p)
		if len(trail) > trailLen {
			trail = trail[len(trail)-trailLen:]
		}
		b, err := json.Marshal(trail)
		return string(b), err
	})
}

// bumpDeviceCount adds n to the lifetime message count of a device, shown on
// the device health page.
func bumpDeviceCount(store *edgekv.Store, deviceID string, n int) error {
	key := "msgcount:device:" + deviceID
	cur, found, err := store.Get(key)
	if err != nil {
		return err
	}
	total := n
	if found {
		if prev, err := strconv.Atoi(cur); err == nil {
			total += prev
		}
	}
	return store.Put(key, strconv.Itoa(total), 0) // EXPECT kvcounter|kvrace
}
