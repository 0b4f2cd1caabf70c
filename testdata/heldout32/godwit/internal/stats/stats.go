// Package stats aggregates campaign engagement reported by the sending
// provider's webhooks and publishes per-campaign totals for the dashboard.
package stats

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	cfkv "github.com/cloudflare/cloudflare-go/v4/kv"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
	"godwit/internal/retry"
)

// Event is one engagement event.
type Event struct {
	Campaign string    `json:"campaign"`
	LinkID   string    `json:"link_id,omitempty"`
	Email    string    `json:"email"`
	Type     string    `json:"type"` // delivered, open, click, bounce, complaint
	At       time.Time `json:"at"`
}

// Totals are the numbers of one campaign, as counted by the warehouse.
type Totals struct {
	Sent        int       `json:"sent"`
	Delivered   int       `json:"delivered"`
	Opens       int       `json:"opens"`
	UniqueOpens int       `json:"unique_opens"`
	Clicks      int       `json:"clicks"`
	Bounces     int       `json:"bounces"`
	Unsubs      int       `json:"unsubs"`
	AsOf        time.Time `json:"as_of"`
}

// Source is the analytics warehouse, the source of truth for totals.
type Source interface {
	CampaignTotals(ctx context.Context, campaign string) (Totals, error)
	RecentCampaigns(ctx context.Context, since time.Time) ([]string, error)
}

// Tracker counts events in memory and publishes them to KV.
type Tracker struct {
	store kvstore.Store
	ns    *kvstore.Namespace
	db    Source
	log   *slog.Logger

	mu    sync.Mutex
	views map[string]int
}

// NewTracker returns a Tracker. ns is the namespace behind store; Summary
// needs the raw response to read the expiration header.
func NewTracker(store kvstore.Store, ns *kvstore.Namespace, db Source, log *slog.Logger) *Tracker {
	return &Tracker{store: store, ns: ns, db: db, log: log, views: map[string]int{}}
}

// Observe counts an event until the next Flush.
func (t *Tracker) Observe(ev Event) {
	if ev.Type != "open" {
		return
	}
	t.mu.Lock()
	t.views[ev.Campaign]++
	t.mu.Unlock()
}

// Run flushes observed views every interval and publishes snapshots every
// snapshotEvery, until ctx is done.
func (t *Tracker) Run(ctx context.Context, interval, snapshotEvery time.Duration) {
	flush := time.NewTicker(interval)
	snap := time.NewTicker(snapshotEvery)
	defer flush.Stop()
	defer snap.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = t.Flush(context.WithoutCancel(ctx))
			return
		case <-flush.C:
			if err := t.Flush(ctx); err != nil {
				t.log.Warn("stats flush", "err", err)
			}
		case <-snap.C:
			if err := t.Snapshot(ctx); err != nil {
				t.log.Warn("stats snapshot", "err", err)
			}
		}
	}
}

// Flush adds the views observed since the last flush to the published view
// count of each campaign.
func (t *Tracker) Flush(ctx context.Context) error {
	t.mu.Lock()
	pending := t.views
	t.views = make(map[string]int, len(pending))
	t.mu.Unlock()

	var errs []error
	for campaign, n := range pending {
		key := keys.Build(keys.CampaignViews, campaign)
		prev := 0
		raw, err := t.store.Get(ctx, key)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
		case err != nil:
			errs = append(errs, err)
			continue
		default:
			if prev, err = strconv.Atoi(string(raw)); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if err := t.store.Put(ctx, key, []byte(strconv.Itoa(prev+n)), kvstore.PutOptions{}); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type linkHits struct {
	N    int       `json:"n"`
	Last time.Time `json:"last"`
}

// RecordClick counts a click on a tracked link before redirecting.
func (t *Tracker) RecordClick(ctx context.Context, linkID string) error {
	key := keys.Build(keys.LinkHits, linkID)
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		var h linkHits
		raw, err := t.store.Get(ctx, key)
		if err == nil {
			_ = json.Unmarshal(raw, &h)
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		h.N++
		h.Last = time.Now().UTC()
		out, _ := json.Marshal(h)
		return t.store.Put(ctx, key, out, kvstore.PutOptions{}) // EXPECT kvcounter
	})
}

// Snapshot publishes the warehouse totals of every campaign active in the last
// three days. It runs on one replica, from the scheduler.
func (t *Tracker) Snapshot(ctx context.Context) error {
	ids, err := t.db.RecentCampaigns(ctx, time.Now().Add(-72*time.Hour))
	if err != nil {
		return err
	}
	for _, id := range ids {
		tot, err := t.db.CampaignTotals(ctx, id)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(tot)
		md := map[string]any{"opens": tot.UniqueOpens, "clicks": tot.Clicks, "sent": tot.Sent}
		if err := t.store.Put(ctx, keys.Build(keys.CampaignStats, id), raw, kvstore.PutOptions{TTL: keys.TTL(keys.CampaignStats), Metadata: md}); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

// Row is one line of the dashboard table.
type Row struct {
	Campaign string
	Sent     int
	Opens    int
	Clicks   int
}

func campaignOf(key string) string {
	return strings.TrimSuffix(strings.TrimPrefix(key, keys.Prefix(keys.CampaignStats)), "/counts")
}

func intOf(md map[string]any, k string) int {
	f, _ := md[k].(float64)
	return int(f)
}

// Dashboard returns a row per campaign with published totals.
func (t *Tracker) Dashboard(ctx context.Context) ([]Row, error) {
	page, err := t.store.List(ctx, kvstore.ListOptions{Prefix: keys.Prefix(keys.CampaignStats)}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(page.Keys))
	for _, k := range page.Keys {
		rows = append(rows, Row{
			Campaign: campaignOf(k.Name),
			Sent:     intOf(k.Metadata, "sent"),
			Opens:    intOf(k.Metadata, "opens"),
			Clicks:   intOf(k.Metadata, "clicks"),
		})
	}
	return rows, nil
}

// Archive returns one page of campaigns with published totals and the cursor
// of the next page.
func (t *Tracker) Archive(ctx context.Context, cursor string) ([]Row, string, error) {
	page, err := t.store.List(ctx, kvstore.ListOptions{
		Prefix: keys.Prefix(keys.CampaignStats),
		Cursor: cursor,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	rows := make([]Row, 0, len(page.Keys))
	for _, k := range page.Keys {
		rows = append(rows, Row{Campaign: campaignOf(k.Name), Sent: intOf(k.Metadata, "sent")})
	}
	if page.Complete {
		return rows, "", nil
	}
	return rows, page.Cursor, nil
}

// Summary returns a campaign's published totals and when they expire.
func (t *Tracker) Summary(ctx context.Context, campaign string) (Totals, time.Time, error) {
	key := url.PathEscape(keys.Build(keys.CampaignStats, campaign))
	res, err := t.ns.Client().KV.Namespaces.Values.Get(ctx, t.ns.ID(), key, cfkv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(t.ns.Account()),
	})
	if err != nil {
		return Totals{}, time.Time{}, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return Totals{}, time.Time{}, nil
	}
	var tot Totals
	if err := json.NewDecoder(res.Body).Decode(&tot); err != nil {
		return Totals{}, time.Time{}, err
	}
	var exp time.Time
	if sec, err := strconv.ParseInt(res.Header.Get("Expiration"), 10, 64); err == nil {
		exp = time.Unix(sec, 0)
	}
	return tot, exp, nil
}
