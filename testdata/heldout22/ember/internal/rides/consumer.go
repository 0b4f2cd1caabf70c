// Package rides consumes ride and vehicle events from the fleet queues.
package rides

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
	"example.com/ember/internal/leaderboard"
	"example.com/ember/internal/queue"
)

// Ended is published by the vehicle gateway when a ride finishes.
type Ended struct {
	RideID   string     `json:"ride_id"`
	Rider    string     `json:"rider"`
	Vehicle  string     `json:"vehicle"`
	City     string     `json:"city"`
	Started  time.Time  `json:"started"`
	Ended    time.Time  `json:"ended"`
	Meters   int        `json:"meters"`
	EndDock  string     `json:"end_dock,omitempty"`
	EndPoint [2]float64 `json:"end_point"`
}

// Boards is the part of the leaderboard service the consumer uses.
type Boards interface {
	ApplyLive(ctx context.Context, city string, rides []leaderboard.Ride) error
}

// Consumer stores finished rides and feeds the live leaderboards.
type Consumer struct {
	store       kvstore.Store
	boards      Boards
	addDistance func(ctx context.Context, rider string, meters int64) (int64, error)
	policy      queue.Policy
	log         *slog.Logger
	retention   time.Duration
}

// NewConsumer wires the consumer. addDistance is usually the leaderboard
// service's AddDistance method.
func NewConsumer(store kvstore.Store, boards Boards, addDistance func(context.Context, string, int64) (int64, error), log *slog.Logger) *Consumer {
	return &Consumer{
		store:       store,
		boards:      boards,
		addDistance: addDistance,
		policy:      queue.DefaultPolicy,
		log:         log,
		retention:   40 * 24 * time.Hour,
	}
}

type lastRide struct {
	RideID string    `json:"ride_id"`
	City   string    `json:"city"`
	Ended  time.Time `json:"ended"`
}

// HandleBatch processes one delivery of ride-ended events.
func (c *Consumer) HandleBatch(ctx context.Context, b *queue.Batch) queue.Outcome {
	byCity := map[string][]leaderboard.Ride{}
	out := queue.Process(ctx, b, c.policy, c.log, func(ctx context.Context, m *queue.Message) error {
		var ev Ended
		if err := json.Unmarshal(m.Body, &ev); err != nil {
			return fmt.Errorf("%w: %v", queue.ErrPermanent, err)
		}
		key := keys.RideKey{Day: ev.Ended, ID: ev.RideID}.String()
		if err := c.store.Put(ctx, key, m.Body, kvstore.TTL(c.retention)); err != nil {
			return err
		}
		if _, err := c.addDistance(ctx, ev.Rider, int64(ev.Meters)); err != nil {
			return err
		}
		lr, _ := json.Marshal(lastRide{RideID: ev.RideID, City: ev.City, Ended: ev.Ended})
		if err := c.store.Put(ctx, "fleet:last-ride", lr); err != nil { // EXPECT kvhotkey
			c.log.Warn("last ride record not updated", "err", err)
		}
		byCity[ev.City] = append(byCity[ev.City], leaderboard.Ride{ID: ev.RideID, Rider: ev.Rider, City: ev.City, Meters: ev.Meters, Ended: ev.Ended})
		return nil
	})
	for city, rides := range byCity {
		if err := c.boards.ApplyLive(ctx, city, rides); err != nil {
			c.log.Warn("live board not updated", "city", city, "err", err)
		}
	}
	cp, _ := json.Marshal(map[string]any{"queue": b.Queue, "acked": out.Acked, "at": time.Now().UTC()})
	if err := c.store.Put(ctx, "rides:checkpoint:"+b.Queue, cp, kvstore.TTL(24*time.Hour)); err != nil {
		c.log.Warn("checkpoint not written", "err", err)
	}
	return out
}
