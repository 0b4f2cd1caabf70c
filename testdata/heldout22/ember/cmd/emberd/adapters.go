package main

import (
	"context"
	"encoding/json"
	"time"

	"example.com/ember/internal/docks"
	"example.com/ember/internal/exports"
	"example.com/ember/internal/geofence"
	"example.com/ember/internal/leaderboard"
	"example.com/ember/internal/queue"
)

// queueBatch is the body of a queue push delivery.
type queueBatch struct {
	Queue    string `json:"queue"`
	Messages []struct {
		ID       string          `json:"id"`
		Body     json.RawMessage `json:"body"`
		Attempts int             `json:"attempts"`
	} `json:"messages"`
	built *queue.Batch
}

func (b *queueBatch) batch() *queue.Batch {
	qb := &queue.Batch{Queue: b.Queue}
	for _, m := range b.Messages {
		qb.Messages = append(qb.Messages, &queue.Message{ID: m.ID, Body: m.Body, Attempts: m.Attempts})
	}
	b.built = qb
	return qb
}

type result struct {
	ID    string `json:"id"`
	Retry bool   `json:"retry"`
}

func (b *queueBatch) results() []result {
	if b.built == nil {
		return nil
	}
	out := make([]result, 0, len(b.built.Messages))
	for _, m := range b.built.Messages {
		out = append(out, result{ID: m.ID, Retry: m.Retrying() || !m.Settled()})
	}
	return out
}

// fleetTelemetry, warehouse, gisSource and discardSink stand in for
// services that are configured per deployment.
type fleetTelemetry struct{}

func (fleetTelemetry) Stations(context.Context, string) ([]string, error) { return nil, nil }

func (fleetTelemetry) Occupancy(context.Context, string, string) (docks.Occupancy, error) {
	return docks.Occupancy{Online: true}, nil
}

type warehouse struct{}

func (warehouse) Top(context.Context, string, time.Time, int) ([]leaderboard.Entry, error) {
	return nil, nil
}

type gisSource struct{}

func (gisSource) Fetch(_ context.Context, city string) (geofence.Geofence, error) {
	return geofence.Geofence{City: city}, nil
}

type discardSink struct{}

func (discardSink) WritePart(context.Context, time.Time, int, []exports.Row) error { return nil }
