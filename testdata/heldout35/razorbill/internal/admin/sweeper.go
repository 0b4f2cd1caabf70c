package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"razorbill/internal/keys"
	"razorbill/internal/retry"
)

// bulkBatch is the largest bulk write the API accepts.
const bulkBatch = 10_000

// SweepConfig controls how long derived records live.
type SweepConfig struct {
	TTL    time.Duration
	Prefix string
}

var defaultSweep = SweepConfig{TTL: 6 * time.Hour, Prefix: "sweep/"}

// Sweeper aggregates download tallies on a ticker.
type Sweeper struct {
	c       *Client
	mu      sync.Mutex
	scanned int
	lastErr error
}

// NewSweeper returns a sweeper over c.
func NewSweeper(c *Client) *Sweeper { return &Sweeper{c: c} }

// Run sweeps every interval until ctx is done.
func (s *Sweeper) Run(ctx context.Context) error {
	t := time.NewTicker(s.c.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := s.sweepOnce(ctx); err != nil {
				log.Printf("sweep: %v", err)
			}
			_ = s.c.put(ctx, "sweeper/heartbeat", time.Now().UTC().Format(time.RFC3339), 0)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// sweepOnce totals download keys, stopping after the configured key budget.
func (s *Sweeper) sweepOnce(ctx context.Context) error {
	defer s.flush(ctx)
	budget := s.c.cfg.MaxSweepKeys
	totals := map[string]int{}
	iter := s.c.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, s.c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.c.account),
		Prefix:    cloudflare.F("downloads/"),
		Limit:     cloudflare.F(1000.0),
	})
	n := 0
	for iter.Next() {
		if n++; n > budget {
			break
		}
		parts := strings.Split(iter.Current().Name, "/")
		if len(parts) == 3 {
			totals[parts[1]]++
		}
	}
	s.mu.Lock()
	s.scanned += n
	s.mu.Unlock()
	cfg := defaultSweep
	cfg.Prefix = "sweep/daily/"
	for ep, days := range totals {
		go s.record(ctx, cfg, ep, days)
	}
	return iter.Err()
}

func (s *Sweeper) record(ctx context.Context, cfg SweepConfig, ep string, days int) {
	if err := s.c.put(ctx, cfg.Prefix+ep, strconv.Itoa(days), cfg.TTL); err != nil {
		s.mu.Lock()
		s.lastErr = err
		s.mu.Unlock()
	}
}

// flush stores the sweeper's own status record.
func (s *Sweeper) flush(ctx context.Context) {
	s.mu.Lock()
	status := map[string]any{"scanned": s.scanned, "at": time.Now().UTC()}
	if s.lastErr != nil {
		status["error"] = s.lastErr.Error()
	}
	s.mu.Unlock()
	b, _ := json.Marshal(status)
	_ = s.c.put(ctx, "sweeper/status", string(b), 0)
}

// DrainQueue forwards queued webhook deliveries and remembers its position.
func (c *Client) DrainQueue(ctx context.Context, next func() (string, bool)) error {
	t := time.NewTicker(c.cfg.DrainInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			id, ok := next()
			if !ok {
				continue
			}
			if err := c.put(ctx, "queue/cursor", id, 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
	}
}

// AllKeys returns every key in the namespace under prefix.
func (c *Client) AllKeys(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	iter := c.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, c.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
	})
	for iter.Next() {
		out = append(out, iter.Current().Name)
	}
	return out, iter.Err()
}

// ExportEpisodes writes every episode record of a show to w.
func (c *Client) ExportEpisodes(ctx context.Context, show keys.ShowID, emit func(EpisodeRecord) error) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(show.EpisodePrefix()),
	}
	for {
		page, err := c.cf.KV.Namespaces.Keys.List(ctx, c.ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			raw, err := c.get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return err
			}
			var rec EpisodeRecord
			if err := json.Unmarshal(raw, &rec); err != nil {
				continue
			}
			if err := emit(rec); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// KeysPage returns one page of keys and the cursor of the next page.
func (c *Client) KeysPage(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(500.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.cf.KV.Namespaces.Keys.List(ctx, c.ns, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(page.Result))
	for i, k := range page.Result {
		names[i] = k.Name
	}
	return names, page.ResultInfo.Cursor, nil
}

// PeekKeys returns a handful of keys for the admin dashboard.
func (c *Client) PeekKeys(ctx context.Context, prefix string) ([]string, string, error) {
	page, err := c.cf.KV.Namespaces.Keys.List(ctx, c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	var names []string
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// CatalogueEntry is one show of an imported catalogue.
type CatalogueEntry struct {
	Show     string   `json:"show"`
	Title    string   `json:"title"`
	Category string   `json:"category"`
	Tags     []string `json:"tags"`
}

// ImportCatalogue writes the catalogue's show records in bulk batches.
func (c *Client) ImportCatalogue(ctx context.Context, entries []CatalogueEntry) error {
	for start := 0; start < len(entries); start += bulkBatch {
		end := min(start+bulkBatch, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b, _ := json.Marshal(e)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(keys.ShowID(e.Show).Key()),
				Value: cloudflare.F(string(b)),
			})
		}
		err := retry.Do(ctx, 3, func() error {
			_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body})
			return err
		})
		if err != nil {
			return err
		}
		if err := c.put(ctx, "import/progress", fmt.Sprintf("%d/%d", end, len(entries)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SeedSearchPlaceholders pre-creates the empty search result pages.
func (c *Client) SeedSearchPlaceholders(ctx context.Context) error {
	const pages = 12_000
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, pages)
	for i := 0; i < pages; i++ {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("search/empty/%d", i)),
			Value:         cloudflare.F("[]"),
			ExpirationTTL: cloudflare.F(float64(24 * 3600)),
		})
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // EXPECT kvlimits
	return err
}

// CacheSearch stores the result page of a directory search.
func (c *Client) CacheSearch(ctx context.Context, lang string, page int, results []string) error {
	b, _ := json.Marshal(results)
	key := fmt.Sprintf("search/%s/%s/%d", keys.AllCategories, lang, page) // EXPECT kvlimits
	return c.put(ctx, key, string(b), time.Hour)
}

// CacheCategoryPage stores a single category page under its short key.
func (c *Client) CacheCategoryPage(ctx context.Context, category string, page int, results []string) error {
	b, _ := json.Marshal(results)
	return c.put(ctx, keys.DirectoryKey(category, page), string(b), time.Hour)
}

// RefreshTrending stores the trending hint computed since the previous run and
// keeps it for two such windows.
func (c *Client) RefreshTrending(ctx context.Context, since time.Time, top []string) error {
	b, _ := json.Marshal(top)
	window := time.Since(since)
	ttl := max(2*window, 3*time.Second)
	return c.put(ctx, "trending/hint", string(b), ttl) // EXPECT kvttl
}

// RefreshCharts stores the weekly chart for at least an hour.
func (c *Client) RefreshCharts(ctx context.Context, window time.Duration, top []string) error {
	b, _ := json.Marshal(top)
	ttl := max(2*window, time.Hour)
	return c.put(ctx, "charts/weekly", string(b), ttl)
}

// MarkFresh stores short-lived freshness hints next to the daily sweep.
func (c *Client) MarkFresh(ctx context.Context, eps []keys.EpisodeID) error {
	fresh := defaultSweep
	fresh.TTL = 30 * time.Second
	for _, ep := range eps {
		if err := c.put(ctx, "fresh/"+string(ep), "1", fresh.TTL); err != nil { // EXPECT kvttl
			return err
		}
	}
	slow := defaultSweep
	slow.TTL = 2 * time.Hour
	return c.put(ctx, "fresh/index", strconv.Itoa(len(eps)), slow.TTL)
}

// PurgeShow deletes every key of a show under its prefix, a page at a time,
// stopping after maxPages.
func (c *Client) PurgeShow(ctx context.Context, show keys.ShowID, maxPages int) error {
	prefix := show.EpisodePrefix()
	cursor := ""
	for p := 0; p < maxPages; p++ {
		names, next, err := c.KeysPage(ctx, prefix, cursor)
		if err != nil {
			return err
		}
		if len(names) > 0 {
			if _, err := c.cf.KV.Namespaces.BulkDelete(ctx, c.ns, kv.NamespaceBulkDeleteParams{
				AccountID: cloudflare.F(c.account), Body: names,
			}); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// PublishPage stores a rendered static page under its route.
func (c *Client) PublishPage(ctx context.Context, route, html string) error {
	return c.put(ctx, route, html, 0)
}

// PublishStaticPages stores the landing pages rendered by the site build.
func (c *Client) PublishStaticPages(ctx context.Context, home, about, pricing string) error {
	if err := c.PublishPage(ctx, "", home); err != nil { // EXPECT kvlimits
		return err
	}
	if err := c.PublishPage(ctx, "about", about); err != nil {
		return err
	}
	return c.PublishPage(ctx, "pricing", pricing)
}
