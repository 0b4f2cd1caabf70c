package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"example.com/edgeconf/internal/storage"
)

// Exposure is reported by the edge SDK every time a user is bucketed into a
// flag variant.
type Exposure struct {
	TenantID string    `json:"tenant_id"`
	Flag     string    `json:"flag"`
	Variant  string    `json:"variant"`
	UserHash string    `json:"user_hash"`
	At       time.Time `json:"at"`
}

// ExposureTracker records exposures for the rollout dashboard.
type ExposureTracker struct {
	store     storage.Store
	retention time.Duration
	sampleOne int
	log       *slog.Logger

	// incr bumps the per-day view counter for a key. It is a field so the
	// tests can count calls without a store.
	incr func(ctx context.Context, key string) error
	seen atomic.Int64
}

// NewExposureTracker returns a tracker that keeps daily view counts for
// retention and samples one in sampleOne raw exposures for debugging.
func NewExposureTracker(store storage.Store, retention time.Duration, sampleOne int, log *slog.Logger) *ExposureTracker {
	t := &ExposureTracker{store: store, retention: retention, sampleOne: sampleOne, log: log}
	t.incr = t.incrKV
	return t
}

func (t *ExposureTracker) incrKV(ctx context.Context, key string) error {
	var views int64
	raw, err := t.store.Get(ctx, key)
	if err == nil {
		if views, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			t.log.WarnContext(ctx, "resetting corrupt view counter", "key", key, "raw", string(raw))
			views = 0
		}
	} else if !storage.IsNotFound(err) {
		return err
	}
	return t.store.Set(ctx, key, strconv.AppendInt(nil, views+1, 10), t.retention) // EXPECT kvcounter
}

// Record stores one exposure.
func (t *ExposureTracker) Record(ctx context.Context, e Exposure) error {
	day := e.At.UTC().Format("20060102")
	if err := t.incr(ctx, fmt.Sprintf("views:%s:%s:%s:%s", e.TenantID, e.Flag, e.Variant, day)); err != nil {
		return fmt.Errorf("rollout: count exposure: %w", err)
	}

	// Last-seen is a plain overwrite; whoever writes last is by definition
	// the most recent.
	seenKey := "lastseen:" + e.TenantID + ":" + e.Flag
	if err := t.store.Set(ctx, seenKey, []byte(e.At.UTC().Format(time.RFC3339)), 30*24*time.Hour); err != nil {
		t.log.WarnContext(ctx, "lastseen write failed", "key", seenKey, "err", err)
	}

	if n := t.seen.Add(1); t.sampleOne > 0 && n%int64(t.sampleOne) == 0 {
		buf, _ := json.Marshal(e)
		sampleKey := "exposure-sample:" + e.TenantID + ":" + e.Flag
		if err := t.store.Set(ctx, sampleKey, buf, 20*time.Second); err != nil { // EXPECT kvttl
			t.log.DebugContext(ctx, "sample write failed", "err", err)
		}
	}
	return nil
}

// Views returns the recorded view count for a flag variant on a day.
func (t *ExposureTracker) Views(ctx context.Context, tenantID, flag, variant string, day time.Time) (int64, error) {
	raw, err := t.store.Get(ctx, fmt.Sprintf("views:%s:%s:%s:%s", tenantID, flag, variant, day.UTC().Format("20060102")))
	if storage.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}
