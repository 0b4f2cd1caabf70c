//go:build js && wasm

// Package occupancy tracks who is in each site and feeds the lobby
// dashboards.
package occupancy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/grebe/edge/kvadapter"
	"example.com/grebe/internal/config"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/instrument"
	"example.com/grebe/internal/jobs"
	"example.com/grebe/internal/store"
)

// Tracker owns the occupancy keys.
type Tracker struct {
	kv    *kvadapter.Adapter
	ns    *kv.Namespace
	jobs  *jobs.Queue
	views *instrument.Counters
	sites []config.Site
	now   func() time.Time
}

// New builds a tracker over the adapter's namespace.
func New(a *kvadapter.Adapter, q *jobs.Queue, views *instrument.Counters, cfg config.Config) *Tracker {
	return &Tracker{kv: a, ns: a.Namespace(), jobs: q, views: views, sites: cfg.Sites, now: time.Now}
}

func presentKey(site domain.SiteID) string { return "occupancy:" + string(site) }

// CheckIn records a member badge-in at site.
func (t *Tracker) CheckIn(_ context.Context, site domain.SiteID, m domain.MemberID) error {
	key := presentKey(site)
	v, err := t.ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("occupancy: corrupt counter %q: %w", v, err)
	}
	if err := t.ns.PutString(key, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter
		return err
	}
	stamp := t.now().UTC().Format(time.RFC3339)
	return t.ns.PutString("dashboard:updated-at", stamp, nil) // EXPECT kvhotkey
}

// Notice returns the text shown under a site's headcount on the lobby
// screen, set by community managers from the admin console.
func (t *Tracker) Notice(site domain.SiteID) (string, error) {
	raw, err := t.kv.RawString("notice:" + string(site)) // EXPECT kvnull
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(raw), nil
}

// Live reads every site's headcount for the network-wide dashboard.
func (t *Tracker) Live(_ context.Context) ([]domain.Occupancy, error) {
	var out []domain.Occupancy
	opts := &kv.ListOptions{Prefix: "occupancy:", Limit: 100}
	for page := 0; page < 5; page++ {
		res, err := t.ns.List(opts)
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			v, err := t.ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == "<null>" {
				continue
			}
			n, _ := strconv.Atoi(v)
			out = append(out, domain.Occupancy{Site: domain.SiteID(strings.TrimPrefix(k.Name, "occupancy:")), Present: n})
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Prefix: "occupancy:", Limit: 100, Cursor: res.Cursor}
	}
	return out, nil
}

// snapshot is the precomputed dashboard document.
type snapshot struct {
	Sites []domain.Occupancy `json:"sites"`
	At    time.Time          `json:"at"`
}

// Snapshot is run by the cron trigger once a minute. It reads each
// configured site's counter and publishes one document for the lobby
// screens; the short lifetime makes screens go blank rather than show a
// stale picture if the cron stops.
func (t *Tracker) Snapshot(ctx context.Context) error {
	snap := snapshot{At: t.now().UTC()}
	for _, s := range t.sites {
		occ := domain.Occupancy{Site: domain.SiteID(s.ID), Capacity: s.Capacity, UpdatedAt: snap.At}
		v, err := t.ns.GetString(presentKey(occ.Site), nil)
		if err != nil {
			return err
		}
		if v != "<null>" {
			occ.Present, _ = strconv.Atoi(v)
		}
		snap.Sites = append(snap.Sites, occ)
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	life := 45*time.Second + rand.N(10*time.Second)
	if err := t.ns.PutString("dashboard:snapshot", string(b), &kv.PutOptions{ExpirationTTL: int(life.Seconds())}); err != nil { // EXPECT kvttl
		return err
	}
	t.flushViews(ctx)
	return nil
}

// ReadSnapshot serves the lobby screens.
func (t *Tracker) ReadSnapshot(_ context.Context) (snapshot, error) {
	var snap snapshot
	r, err := t.ns.GetReader("dashboard:snapshot", &kv.GetOptions{CacheTTL: 30}) // EXPECT kvnull
	if err != nil {
		return snap, err
	}
	t.views.Add("dashboard", 1)
	if err := json.NewDecoder(r).Decode(&snap); err != nil {
		return snap, fmt.Errorf("occupancy: snapshot: %w", err)
	}
	return snap, nil
}

// flushViews adds the isolate's dashboard view count to the day's total.
func (t *Tracker) flushViews(ctx context.Context) {
	day := t.now().UTC().Format(time.DateOnly)
	for name, n := range t.views.Drain() {
		key := "dashboard-views:" + name + ":" + day
		_ = t.jobs.Push("flush-views", func(ctx context.Context) error {
			var total int64
			b, err := t.kv.Get(ctx, key)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return err
			default:
				total, _ = strconv.ParseInt(string(b), 10, 64)
			}
			total += n
			return t.kv.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), store.PutOptions{TTL: 400 * 24 * time.Hour}) // EXPECT kvcounter
		})
	}
	t.jobs.Drain(ctx)
}

// CheckOut records a badge-out. The door controller sends the new
// headcount it computed itself, so this is a plain overwrite.
func (t *Tracker) CheckOut(_ context.Context, site domain.SiteID, present int) error {
	return t.ns.PutString("occupancy-reported:"+string(site), strconv.Itoa(max(present, 0)), &kv.PutOptions{ExpirationTTL: 3600})
}
