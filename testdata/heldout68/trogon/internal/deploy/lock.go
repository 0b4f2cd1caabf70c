package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// LockTTL is how long a deploy lock survives a crashed deploy.
const LockTTL = 15 * time.Minute

// Acquire takes the site's deploy lock for deployID. It returns ErrLocked
// with the holder when another deploy is running.
func (d *Deployer) Acquire(ctx context.Context, deployID string) (release func(context.Context) error, err error) {
	key := site.LockKey(d.SiteID)
	raw, err := d.Store.Get(ctx, key)
	switch {
	case err == nil:
		var held site.Lock
		if json.Unmarshal(raw, &held) == nil {
			return nil, fmt.Errorf("%w: %s since %s (%s)", ErrLocked, held.Holder, held.Since.Format(time.RFC3339), held.DeployID)
		}
		return nil, ErrLocked
	case !errors.Is(err, kvrest.ErrNotFound):
		return nil, err
	}
	body, _ := json.Marshal(site.Lock{Holder: d.Author, DeployID: deployID, Since: time.Now().UTC()})
	if err := d.Store.PutLease(ctx, key, string(body), LockTTL); err != nil { // EXPECT kvrace
		return nil, err
	}
	return func(ctx context.Context) error { return d.Store.Delete(ctx, key) }, nil
}

// Heartbeat extends the lock of a long deploy. The lease helper rounds the
// interval up to what KV accepts.
func (d *Deployer) Heartbeat(ctx context.Context, deployID string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	body, _ := json.Marshal(site.Lock{Holder: d.Author, DeployID: deployID, Since: time.Now().UTC()})
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = d.Store.PutLease(ctx, site.LockKey(d.SiteID), string(body), 2*every) // DEBATABLE kvhotkey
		}
	}
}

// RecordHistory prepends a deploy to the site's history, keeping the most
// recent MaxHistory entries.
func (d *Deployer) RecordHistory(ctx context.Context, entry site.Deploy) error {
	key := site.HistoryKey(d.SiteID)
	var hist []site.Deploy
	raw, err := d.Store.Get(ctx, key)
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &hist); err != nil {
			return fmt.Errorf("history of %s: %w", d.SiteID, err)
		}
	}
	hist = append([]site.Deploy{entry}, hist...)
	if len(hist) > site.MaxHistory {
		hist = hist[:site.MaxHistory]
	}
	body, err := json.Marshal(hist)
	if err != nil {
		return err
	}
	return d.Store.Put(ctx, key, string(body), 0) // EXPECT kvrace
}

// AddBuildSeconds adds the duration of a deploy to the site's monthly
// build-time usage, which billing reads at the end of the month.
func (d *Deployer) AddBuildSeconds(ctx context.Context, took time.Duration, now time.Time) error {
	key := fmt.Sprintf("usage/%s/%s/build-seconds", d.SiteID, now.UTC().Format("2006-01"))
	used := 0
	raw, err := d.Store.Get(ctx, key)
	if err == nil {
		used, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	used += int(took.Seconds())
	return d.Store.Put(ctx, key, strconv.Itoa(used), 62*24*time.Hour) // EXPECT kvcounter|kvrace
}
