//go:build js && wasm

// Package cronjobs holds the scheduled work: releasing expired seat holds
// and rebuilding the public events index. The Worker's cron trigger runs
// Run every five minutes.
package cronjobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/config"
	"example.com/boxoffice/internal/events"
	"example.com/boxoffice/internal/holds"
	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/pool"
	"example.com/boxoffice/internal/storage"
)

const (
	indexKey    = "index/events"
	progressKey = "index/rebuild-cursor"
)

// featuredFilter selects the events shown in the home page carousel; the
// cached list is stored under it so a filter change builds a new list.
const featuredFilter = "published=true&on_sale=true&has_inventory=true&exclude_private=true" +
	"&exclude_cancelled=true&exclude_postponed=true&exclude_test_events=true&min_days_ahead=0&max_days_ahead=120" +
	"&region=any&genres=music,comedy,theatre,family,sport,talks,festival,club,classical,opera,dance,film" +
	"&sort=starts_at&order=asc&tie_break=popularity&dedupe_series=true&collapse_recurring=true" +
	"&image_required=true&image_min_width=1200&image_min_height=675&price_band=any&currency=any" +
	"&accessibility=any&age_restriction=any&promoter=any&venue_capacity_min=0&venue_capacity_max=any" +
	"&include_presale=false&include_members_only=false&include_waitlist_only=true&limit=24"

// Jobs runs the scheduled tasks.
type Jobs struct {
	store   storage.Store
	catalog *events.Catalog
	binding string
	cfg     config.Config
	log     *slog.Logger
	now     func() time.Time
}

// New returns Jobs.
func New(s storage.Store, catalog *events.Catalog, binding string, cfg config.Config, log *slog.Logger) *Jobs {
	return &Jobs{store: s, catalog: catalog, binding: binding, cfg: cfg, log: log, now: time.Now}
}

// Run is the cron entry point.
func (j *Jobs) Run(ctx context.Context) error {
	runID := newRunID()
	ok, err := j.lock(ctx, runID)
	if err != nil {
		return err
	}
	if !ok {
		j.log.Info("cron: previous run still active, skipping")
		return nil
	}
	released, relErr := j.ReleaseExpired(ctx)
	idxErr := j.RebuildIndex(ctx)
	if err := j.RefreshFeatured(ctx); err != nil {
		j.log.Warn("cron: featured", "err", err)
	}
	if err := j.writeManifest(ctx, runID, released); err != nil {
		j.log.Warn("cron: manifest", "err", err)
	}
	return errors.Join(relErr, idxErr)
}

func (j *Jobs) lock(ctx context.Context, runID string) (bool, error) {
	key := kvkey.Meta.Child("cron-lock").String()
	if _, err := j.store.Get(ctx, key); err == nil {
		return false, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	return true, j.store.Put(ctx, key, []byte(runID), storage.WithTTL(4*time.Minute)) // EXPECT kvrace
}

// ReleaseExpired deletes holds whose checkout window has passed and records
// the released seats in each event's availability summary.
func (j *Jobs) ReleaseExpired(ctx context.Context) (int, error) {
	now := j.now()
	var expired []storage.KeyInfo
	cursor := ""
	for pages := 0; pages < j.cfg.CronMaxPages; pages++ {
		page, err := j.store.List(ctx, storage.ListOptions{Prefix: kvkey.Holds.Prefix(), Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if k.Expiration > 0 && time.Unix(k.Expiration, 0).Add(-holds.ReleaseGrace).Before(now) {
				expired = append(expired, k)
			}
		}
		cursor = page.Cursor
	}
	if err := pool.Run(ctx, j.cfg.CronWorkers, expired, j.releaseOne); err != nil {
		return 0, err
	}
	byEvent := map[string][]string{}
	for _, k := range expired {
		parts := strings.Split(k.Name, "/")
		if len(parts) != 3 {
			continue
		}
		byEvent[parts[1]] = append(byEvent[parts[1]], parts[2])
	}
	for eventID, seats := range byEvent {
		sort.Strings(seats)
		key := kvkey.EventSummary(eventID).String()
		sum := events.Summary{EventID: eventID}
		for _, seat := range seats {
			sum.Released = append(sum.Released, seat)
			sum.UpdatedAt = j.now()
			b, err := json.Marshal(sum)
			if err != nil {
				return 0, err
			}
			if err := j.store.Put(ctx, key, b, storage.WithTTL(time.Hour)); err != nil { // EXPECT kvhotkey
				return 0, err
			}
		}
	}
	return len(expired), nil
}

func (j *Jobs) releaseOne(ctx context.Context, k storage.KeyInfo) error {
	if err := j.store.Delete(ctx, k.Name); err != nil {
		return fmt.Errorf("cron: release %s: %w", k.Name, err)
	}
	return nil
}

// RebuildIndex lists every event key and writes the public index document.
func (j *Jobs) RebuildIndex(ctx context.Context) error {
	ns, err := kv.NewNamespace(j.binding)
	if err != nil {
		return err
	}
	var ids []string
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: kvkey.Events.Prefix(), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, kvkey.Events.Prefix())
			if id != "" && !strings.Contains(id, "/") {
				ids = append(ids, id)
			}
		}
		if err := ns.PutString(progressKey, res.Cursor, &kv.PutOptions{ExpirationTTL: 600}); err != nil { // EXPECT kvhotkey
			j.log.Warn("cron: progress checkpoint", "err", err)
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	doc, err := events.BuildIndex(ids, j.now())
	if err != nil {
		return err
	}
	return ns.PutString(indexKey, string(doc), &kv.PutOptions{ExpirationTTL: int(j.cfg.IndexTTL.Seconds())})
}

// RefreshFeatured rebuilds the home page carousel from the first events in
// key order.
func (j *Jobs) RefreshFeatured(ctx context.Context) error {
	ids, err := j.catalog.RecentIDs(ctx, 24)
	if err != nil {
		return err
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	key := kvkey.Meta.Child("featured", featuredFilter).String() // EXPECT kvlimits
	return j.store.Put(ctx, key, b, storage.WithTTL(30*time.Minute))
}

type manifest struct {
	RunID    string    `json:"run_id"`
	Finished time.Time `json:"finished"`
	Released int       `json:"released"`
}

// writeManifest records the outcome of the run for the status page.
func (j *Jobs) writeManifest(ctx context.Context, runID string, released int) error {
	b, err := json.Marshal(manifest{RunID: runID, Finished: j.now().UTC(), Released: released})
	if err != nil {
		return err
	}
	return j.store.Put(ctx, kvkey.Root.Prefix(), b, storage.WithTTL(24*time.Hour)) // EXPECT kvlimits
}

// ServeIndex serves the public events index.
func (j *Jobs) ServeIndex(w http.ResponseWriter, r *http.Request) error {
	ns, err := kv.NewNamespace(j.binding)
	if err != nil {
		return err
	}
	raw, err := ns.GetString(indexKey, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		return err
	}
	if raw == "<null>" {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusServiceUnavailable)
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write([]byte(raw))
	return err
}

func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
