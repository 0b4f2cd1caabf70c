// Package quota enforces each organisation's hourly query allowance.
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jabiru-observability/jabiru/internal/kvstore"
	"github.com/jabiru-observability/jabiru/internal/orgs"
)

// ErrExceeded is returned when an organisation has used its hourly queries.
var ErrExceeded = errors.New("quota: hourly query allowance used up")

// windowKey is the hour an allowance applies to, e.g. "2025-06-01T13".
func windowKey(t time.Time) string { return t.UTC().Format("2006-01-02T15") }

// Usage reports how many queries an organisation ran this hour.
type Usage struct {
	Window string `json:"window"`
	Used   int64  `json:"used"`
	Limit  int64  `json:"limit"`
}

// Tracker counts queries per organisation and hour.
type Tracker struct {
	now func() time.Time
}

// NewTracker returns a tracker on the wall clock.
func NewTracker() *Tracker { return &Tracker{now: time.Now} }

// Consume charges n queries to h's current window.
func (t *Tracker) Consume(ctx context.Context, h *orgs.Handle, n int) (Usage, error) {
	if h.Limits.QueriesPerHour <= 0 {
		return Usage{}, nil // unlimited plan
	}
	win := windowKey(t.now())
	key := h.Key("quota", win)

	var used int64
	raw, err := h.NS.Get(ctx, key.Value())
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return Usage{}, fmt.Errorf("quota read: %w", err)
	default:
		if used, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return Usage{}, fmt.Errorf("quota value %q: %w", raw, err)
		}
	}
	u := Usage{Window: win, Used: used + int64(n), Limit: h.Limits.QueriesPerHour}
	if u.Used > u.Limit {
		return u, ErrExceeded
	}
	val := []byte(strconv.FormatInt(u.Used, 10))
	if err := h.NS.Put(ctx, key.Value(), val, 2*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return u, fmt.Errorf("quota write: %w", err)
	}
	return u, nil
}

// Current returns the usage of h's current window without charging it.
func (t *Tracker) Current(ctx context.Context, h *orgs.Handle) (Usage, error) {
	win := windowKey(t.now())
	u := Usage{Window: win, Limit: h.Limits.QueriesPerHour}
	raw, ok, err := h.NS.Lookup(ctx, h.Key("quota", win).Value())
	if err != nil || !ok {
		return u, err
	}
	u.Used, err = strconv.ParseInt(string(raw), 10, 64)
	return u, err
}
