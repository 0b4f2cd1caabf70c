// Package cleanup is the nightly maintenance job: it sweeps expired device
// grants and stale deliveries, trims orphaned org keys and rolls usage
// buckets over at the start of a month.
package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kv"
)

const (
	lockKey     = "cron:lock:cleanup"
	progressKey = "cron:cleanup:progress"

	lockTTL       = 2 * time.Hour
	maxPages      = 50
	usageBuckets  = 16384
	orphanPerPage = 1000
)

// Job is the nightly cleanup.
type Job struct {
	KV    *kv.Client
	NS    kv.Namespace
	Clock clock.Clock
	Log   *slog.Logger
	Host  string
}

func (j *Job) list(ctx context.Context, p cloudflare.ListWorkersKVsParams) (cloudflare.ListStorageKeysResponse, error) {
	p.NamespaceID = string(j.NS)
	return j.KV.API().ListWorkersKVKeys(ctx, j.KV.Account(), p)
}

// Run executes every step once. Only one replica may run it per night.
func (j *Job) Run(ctx context.Context) error {
	if _, err := j.NS.Get(ctx, j.KV, lockKey); err == nil {
		j.Log.Info("cleanup already running elsewhere")
		return nil
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	if err := j.NS.PutTTL(ctx, j.KV, lockKey, []byte(j.Host), lockTTL); err != nil { // EXPECT kvrace
		return err
	}
	defer func() {
		if err := j.NS.Delete(context.WithoutCancel(ctx), j.KV, lockKey); err != nil {
			j.Log.Warn("release cleanup lock", "err", err)
		}
	}()

	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"device grants", j.sweepDeviceGrants},
		{"deliveries", j.sweepDeliveries},
		{"orphan org keys", j.sweepOrphans},
		{"stale backoffs", j.sweepBackoffs},
		{"denied grants", j.sweepDenied},
	}
	var errs []error
	for _, st := range steps {
		start := j.Clock.Now()
		if err := st.fn(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", st.name, err))
		}
		j.Log.Info("cleanup step", "step", st.name, "took", j.Clock.Now().Sub(start))
	}
	return errors.Join(errs...)
}

type grantView struct {
	ExpiresAt time.Time `json:"expires_at"`
}

// sweepDeviceGrants deletes grants past their expiry that KV has not yet
// dropped (grants written before TTLs were set).
func (j *Job) sweepDeviceGrants(ctx context.Context) error {
	var dead []string
	cursor := ""
	for {
		resp, err := j.list(ctx, cloudflare.ListWorkersKVsParams{Prefix: "device:grant:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			raw, err := j.NS.Get(ctx, j.KV, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var g grantView
			if json.Unmarshal(raw, &g) == nil && g.ExpiresAt.Before(j.Clock.Now()) {
				dead = append(dead, k.Name)
			}
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return j.NS.DeleteKeys(ctx, j.KV, dead)
}

// sweepDeliveries removes delivery records whose endpoint was deleted.
// Delivery keys carry the endpoint ID in their metadata.
func (j *Job) sweepDeliveries(ctx context.Context) error {
	var dead []string
	cursor := ""
pages:
	for page := range maxPages {
		resp, err := j.list(ctx, cloudflare.ListWorkersKVsParams{Prefix: "wh:delivery:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			md, _ := k.Metadata.(map[string]any)
			ep, _ := md["endpoint_id"].(string)
			if ep == "" {
				continue
			}
			if _, err := j.NS.Get(ctx, j.KV, "wh:endpoint:"+ep); errors.Is(err, kv.ErrNotFound) { // DEBATABLE kvlist
				dead = append(dead, k.Name)
			} else if err != nil {
				j.Log.Warn("endpoint lookup", "endpoint", ep, "page", page, "err", err)
				break pages
			}
		}
		if err := j.NS.Put(ctx, j.KV, progressKey, []byte("deliveries:"+strconv.Itoa(page))); err != nil { // EXPECT kvhotkey
			return err
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return j.NS.DeleteKeys(ctx, j.KV, dead)
}

// sweepOrphans removes org key index entries whose API key was deleted.
func (j *Job) sweepOrphans(ctx context.Context) error {
	deadline := j.Clock.Now().Add(20 * time.Minute)
	var dead []string
	params := cloudflare.ListWorkersKVsParams{Prefix: "orgkey:", Limit: orphanPerPage}
	for j.Clock.Now().Before(deadline) {
		resp, err := j.list(ctx, params)
		if err != nil {
			return err
		}
	keys:
		for _, k := range resp.Result {
			md, _ := k.Metadata.(map[string]any)
			hash, _ := md["hash"].(string)
			if hash == "" {
				continue keys
			}
			if _, err := j.NS.Get(ctx, j.KV, "apikey:"+hash); errors.Is(err, kv.ErrNotFound) { // DEBATABLE kvlist
				dead = append(dead, k.Name)
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	return j.NS.DeleteKeys(ctx, j.KV, dead)
}

// sweepBackoffs drops webhook backoff markers for endpoints that are gone.
func (j *Job) sweepBackoffs(ctx context.Context) error {
	var stale []string
	resp, err := j.list(ctx, cloudflare.ListWorkersKVsParams{Prefix: "wh:backoff:", Limit: 5000}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for {
		for _, k := range resp.Result {
			id := strings.TrimPrefix(k.Name, "wh:backoff:")
			if _, err := j.NS.Get(ctx, j.KV, "wh:endpoint:"+id); errors.Is(err, kv.ErrNotFound) { // DEBATABLE kvlist
				stale = append(stale, k.Name)
			}
		}
		if len(resp.Result) == 0 {
			break
		}
		resp, err = j.list(ctx, cloudflare.ListWorkersKVsParams{Cursor: resp.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
	return j.NS.DeleteKeys(ctx, j.KV, stale)
}

// sweepDenied removes denied device grants older than a day.
func (j *Job) sweepDenied(ctx context.Context) error {
	var old []string
	cursor := ""
	for range maxPages {
		resp, err := j.list(ctx, cloudflare.ListWorkersKVsParams{Prefix: "device:denied:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			if k.Expiration == 0 {
				old = append(old, k.Name)
			}
		}
		if len(resp.Result) == 0 {
			break
		}
		cursor = resp.Cursor
	}
	return j.NS.DeleteKeys(ctx, j.KV, old)
}

// RollUsage resets the usage buckets at the start of a month.
func (j *Job) RollUsage(ctx context.Context, month string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, usageBuckets)
	for i := range usageBuckets {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("usage:bucket:%s:%05d", month, i),
			Value:         "0",
			ExpirationTTL: int((45 * 24 * time.Hour).Seconds()),
		})
	}
	_, err := j.KV.API().WriteWorkersKVEntries(ctx, j.KV.Account(), cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvlimits
		NamespaceID: string(j.NS),
		KVs:         pairs,
	})
	return err
}

// WriteReport stores the night's summary once per run.
func (j *Job) WriteReport(ctx context.Context, report map[string]int) error {
	b, _ := json.Marshal(report)
	key := "cron:cleanup:report:" + j.Clock.Now().UTC().Format("2006-01-02")
	return j.NS.PutTTL(ctx, j.KV, key, b, 30*24*time.Hour)
}
