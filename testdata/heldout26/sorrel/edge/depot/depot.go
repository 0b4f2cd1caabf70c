//go:build js && wasm

// Package depot manages drop-off slots at depots. Each depot accepts a fixed
// number of sender drop-offs per hour.
package depot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

const jsNull = "<null>"

var (
	ErrFull         = errors.New("depot: hour is fully booked")
	ErrUnknownDepot = errors.New("depot: unknown depot")
)

// Slot is the occupancy of one depot hour.
type Slot struct {
	Hour     time.Time `json:"hour"`
	Booked   int       `json:"booked"`
	Capacity int       `json:"capacity"`
}

// Board books drop-off slots and publishes occupancy boards.
type Board struct {
	ns      *kv.Namespace
	store   kvstore.Store
	ks      keyspace.Space
	depots  map[string]domain.Depot
	publish []kvstore.Option
}

// NewBoard returns a board for depots. opts are applied to every published
// occupancy board.
func NewBoard(ns *kv.Namespace, st kvstore.Store, ks keyspace.Space, depots []domain.Depot, opts ...kvstore.Option) *Board {
	b := &Board{ns: ns, store: st, ks: ks, depots: make(map[string]domain.Depot, len(depots)), publish: opts}
	for _, d := range depots {
		b.depots[d.ID] = d
	}
	return b
}

// Depots returns the configured depots.
func (b *Board) Depots() map[string]domain.Depot { return b.depots }

func (b *Board) booked(key string) (int, error) {
	raw, err := b.ns.GetString(key, nil)
	if err != nil {
		return 0, err
	}
	if raw == jsNull {
		return 0, nil
	}
	return strconv.Atoi(raw)
}

// Reserve books one drop-off in the hour containing slot.
func (b *Board) Reserve(ctx context.Context, depotID string, slot time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	d, ok := b.depots[depotID]
	if !ok {
		return 0, ErrUnknownDepot
	}
	hour := slot.Truncate(time.Hour)
	key := b.ks.Hold(depotID, hour)
	n, err := b.booked(key)
	if err != nil {
		return 0, err
	}
	if n >= d.HourlyCapacity {
		return n, ErrFull
	}
	// Keep the hold an hour past the slot so late arrivals still find it.
	ttl := max(time.Until(hour.Add(time.Hour)), 0) + time.Hour
	if err := b.ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil { // EXPECT kvcounter
		return n, err
	}
	return n + 1, nil
}

// Occupancy reads the next hours of a depot.
func (b *Board) Occupancy(ctx context.Context, depotID string, from time.Time, hours int) ([]Slot, error) {
	d, ok := b.depots[depotID]
	if !ok {
		return nil, ErrUnknownDepot
	}
	hours = min(max(hours, 1), 24)
	out := make([]Slot, 0, hours)
	start := from.Truncate(time.Hour)
	for i := range hours {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h := start.Add(time.Duration(i) * time.Hour)
		n, err := b.booked(b.ks.Hold(depotID, h))
		if err != nil {
			return nil, err
		}
		out = append(out, Slot{Hour: h, Booked: n, Capacity: d.HourlyCapacity})
	}
	return out, nil
}

// Publish writes the occupancy board shown on depot screens.
func (b *Board) Publish(ctx context.Context, depotID string) error {
	slots, err := b.Occupancy(ctx, depotID, time.Now(), 12)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(slots)
	if err != nil {
		return err
	}
	return b.store.Put(ctx, b.ks.Board(depotID), raw, b.publish...)
}

// Forecast returns the planner's expected parcel volume for a depot today.
func (b *Board) Forecast(ctx context.Context, depotID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	raw, err := b.ns.GetString(b.ks.Forecast(depotID), nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("depot: forecast for %s: %w", depotID, err)
	}
	return n, nil
}

// ServeHTTP serves slot booking for senders and the depot screens.
func (b *Board) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch r.URL.Path {
	case "/v1/depot/reserve":
		var body struct {
			Depot string
			Slot  time.Time
		}
		if err := httpx.Decode(r, 1<<10, &body); err != nil {
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		n, err := b.Reserve(r.Context(), body.Depot, body.Slot)
		switch {
		case errors.Is(err, ErrFull):
			httpx.Error(w, http.StatusConflict, "that hour is full")
		case err != nil:
			httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		default:
			httpx.JSON(w, http.StatusCreated, map[string]int{"position": n})
		}
	case "/v1/depot/forecast":
		n, err := b.Forecast(r.Context(), q.Get("depot"))
		if err != nil {
			httpx.Error(w, http.StatusNotFound, "no forecast")
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]int{"expected": n})
	default:
		http.NotFound(w, r)
	}
}
