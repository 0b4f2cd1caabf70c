// Package metering records API usage per key and enforces monthly quotas.
package metering

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/tundra/internal/storage"
)

// Getter is the read side this package needs.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Setter is the write side this package needs.
type Setter interface {
	Put(ctx context.Context, key string, value []byte, opts storage.WriteOpts) error
}

// Event is one metered API call (or a pre-aggregated batch of them).
type Event struct {
	KeyID    string
	TenantID string
	Route    string
	Units    int64
	At       time.Time
}

// Recorder keeps hourly usage totals per API key.
type Recorder struct {
	Reads  Getter
	Writes Setter
	Region string
}

// usageRetention covers a billing month plus late corrections.
const usageRetention = 40 * 24 * time.Hour

func hourBucket(t time.Time) string { return strconv.FormatInt(t.Unix()/3600, 10) }

// UsageKey is where the hourly total for keyID lives.
func UsageKey(keyID string, at time.Time) string {
	return strings.Join([]string{"usage", keyID, hourBucket(at)}, ":")
}

// Record adds ev.Units to the hourly total.
func (r *Recorder) Record(ctx context.Context, ev Event) error {
	key := UsageKey(ev.KeyID, ev.At)
	var total int64
	raw, err := r.Reads.Get(ctx, key)
	switch {
	case err == nil:
		total, err = strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("metering: corrupt total at %s: %w", key, err)
		}
	case !storage.IsNotFound(err):
		return err
	}
	total += ev.Units
	return r.Writes.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), storage.WriteOpts{TTL: usageRetention}) // EXPECT kvcounter
}

// Flush records a batch drained from the ingest buffer and moves the region's
// watermark forward so the exporter knows which hours are settled.
func (r *Recorder) Flush(ctx context.Context, batch []Event) error {
	for _, ev := range batch {
		if err := r.Record(ctx, ev); err != nil {
			return err
		}
		mark := []byte(ev.At.UTC().Format(time.RFC3339))
		if err := r.Writes.Put(ctx, "usage:watermark:"+r.Region, mark, storage.WriteOpts{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Snapshot stores a rendered usage summary for the dashboard. ttlSeconds
// comes from the tenant's plan.
func (r *Recorder) Snapshot(ctx context.Context, tenantID string, body []byte, ttlSeconds int64) error {
	key := "snapshot:" + tenantID + ":" + time.Now().UTC().Format("2006-01-02T15")
	return r.Writes.Put(ctx, key, body, storage.WriteOpts{TTL: time.Duration(ttlSeconds) * time.Second})
}
