// Package reports builds dashboards, snapshots and exports from what the
// ingest paths stored in KV.
package reports

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"github.com/quetzal-analytics/quetzal/internal/kvio"
	"github.com/quetzal-analytics/quetzal/internal/kvstore"
)

// Reporter reads stored analytics data.
type Reporter struct {
	st          *kvstore.Store
	snapshotTTL time.Duration
}

// New returns a Reporter.
func New(st *kvstore.Store, snapshotTTL time.Duration) *Reporter {
	return &Reporter{st: st, snapshotTTL: snapshotTTL}
}

func (r *Reporter) keys() *kv.NamespaceKeyService     { return r.st.Client().KV.Namespaces.Keys }
func (r *Reporter) values() *kv.NamespaceValueService { return r.st.Client().KV.Namespaces.Values }

// DayTotal is the hit total of one day.
type DayTotal struct {
	Day  string `json:"day"`
	Hits int    `json:"hits"`
}

// DailyTotals returns every stored daily total of a site, oldest first.
func (r *Reporter) DailyTotals(ctx context.Context, site string) ([]DayTotal, error) {
	prefix := "hits:" + site + ":"
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.st.AccountID()),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	var out []DayTotal
	for {
		page, err := r.keys().List(ctx, r.st.NamespaceID(), params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			res, err := r.values().Get(ctx, r.st.NamespaceID(), k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.st.AccountID())}) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				return nil, err
			}
			n, _ := strconv.Atoi(string(b))
			out = append(out, DayTotal{Day: strings.TrimPrefix(k.Name, prefix), Hits: n})
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out, nil
}

// SiteIDs returns the IDs of all sites.
func (r *Reporter) SiteIDs(ctx context.Context) ([]string, error) {
	it := r.keys().ListAutoPaging(ctx, r.st.NamespaceID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.st.AccountID()),
		Prefix:    cloudflare.F("site:"),
	})
	var ids []string
	for it.Next() {
		ids = append(ids, strings.TrimPrefix(it.Current().Name, "site:"))
	}
	return ids, it.Err()
}

// AuditEntry is one audit record as listed, from key metadata only.
type AuditEntry struct {
	Key     string
	Expires time.Time
}

// RecentAudit lists up to maxPages pages of audit keys of one day.
func (r *Reporter) RecentAudit(ctx context.Context, day time.Time, maxPages int) ([]AuditEntry, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.st.AccountID()),
		Prefix:    cloudflare.F("audit:" + day.Format("20060102") + ":"),
		Limit:     cloudflare.F(500.0),
	}
	var out []AuditEntry
	cursor := ""
	for range maxPages {
		page, err := r.keys().List(ctx, r.st.NamespaceID(), params)
		if err != nil {
			return nil, "", err
		}
		for _, k := range page.Result {
			out = append(out, AuditEntry{Key: k.Name, Expires: time.Unix(int64(k.Expiration), 0)})
		}
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(cursor)
	}
	return out, cursor, nil
}

// Page returns one page of keys and the cursor of the next one.
func (r *Reporter) Page(ctx context.Context, prefix, cursor string, size int) ([]string, string, error) {
	keys, next, err := r.st.List(ctx, prefix, cursor, size)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	return names, next, nil
}

// LatestEvents returns the newest event keys of a site for the live view.
func (r *Reporter) LatestEvents(ctx context.Context, site string) ([]string, error) {
	page, err := r.keys().List(ctx, r.st.NamespaceID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.st.AccountID()),
		Prefix:    cloudflare.F("ev:" + site + ":"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range page.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// PurgeSite deletes up to maxPages pages of events of a site.
func (r *Reporter) PurgeSite(ctx context.Context, site string, maxPages int) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.st.AccountID()),
		Prefix:    cloudflare.F("ev:" + site + ":"),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	}
	deleted := 0
	for range maxPages {
		page, err := r.keys().List(ctx, r.st.NamespaceID(), params) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		names := make([]string, 0, len(page.Result))
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if len(names) > 0 {
			_, err = r.st.Client().KV.Namespaces.Bulk.Delete(ctx, r.st.NamespaceID(),
				kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(r.st.AccountID())},
				option.WithRequestBody("application/json", names))
			if err != nil {
				return deleted, err
			}
			deleted += len(names)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(r.st.AccountID()),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
		}
	}
	return deleted, nil
}

// Summary is the cached report of one site and day.
type Summary struct {
	Site     string         `json:"site"`
	Day      string         `json:"day"`
	Hits     int            `json:"hits"`
	TopPages map[string]int `json:"top_pages"`
	Built    time.Time      `json:"built"`
}

// Snapshot returns the summary of a site and day, building and caching it
// on a miss.
func (r *Reporter) Snapshot(ctx context.Context, site, day string, build func() (Summary, error)) ([]byte, error) {
	key := "snapshot:" + site + ":" + day
	res, err := r.values().Get(ctx, r.st.NamespaceID(), key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.st.AccountID())})
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return raw, nil
	}
	sum, err := build()
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(sum)
	if err != nil {
		return nil, err
	}
	w := kvio.NewWriter(ctx, r.st, key, r.snapshotTTL)
	if _, err := w.Write(out); err != nil {
		w.Abort()
		return nil, err
	}
	return out, w.Close()
}

// CachedSummary is the read-through variant used by the public dashboards.
func (r *Reporter) CachedSummary(ctx context.Context, site, day string, build func() (Summary, error)) (Summary, error) {
	key := "public-summary:" + site + ":" + day
	var sum Summary
	b, err := r.st.Get(ctx, key)
	if err == nil {
		return sum, json.Unmarshal(b, &sum)
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return sum, err
	}
	if sum, err = build(); err != nil {
		return sum, err
	}
	w := kvio.NewWriter(ctx, r.st, key, 10*time.Minute)
	defer w.Close()
	return sum, json.NewEncoder(w).Encode(sum)
}

// Preview stores a draft summary shown while the editor is open.
func (r *Reporter) Preview(ctx context.Context, sum Summary) error {
	w := kvio.NewWriter(ctx, r.st, "preview:"+sum.Site, 45*time.Second) // EXPECT kvttl
	defer w.Close()
	return json.NewEncoder(w).Encode(sum)
}

// ExportSite writes a CSV-like export of daily totals and returns its key.
func (r *Reporter) ExportSite(ctx context.Context, site string, totals []DayTotal) (key string, err error) {
	key = fmt.Sprintf("export:%s:%d", site, time.Now().Unix())
	w := kvio.NewWriter(ctx, r.st, key, 7*24*time.Hour)
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "day,hits")
	for _, t := range totals {
		fmt.Fprintf(bw, "%s,%d\n", t.Day, t.Hits)
	}
	if err := bw.Flush(); err != nil {
		w.Abort()
		return "", err
	}
	return key, w.Close()
}

// PublishLatest publishes the newest export of each site for the public
// download link.
func (r *Reporter) PublishLatest(ctx context.Context, exports map[string][]DayTotal) error {
	for site, totals := range exports {
		w := kvio.NewWriter(ctx, r.st, "exports/latest.json", 24*time.Hour)
		if err := json.NewEncoder(w).Encode(map[string]any{"site": site, "totals": totals}); err != nil {
			return err
		}
		if err := w.Close(); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// AppendDigest adds one line to the weekly e-mail digest of a site.
func (r *Reporter) AppendDigest(ctx context.Context, site, line string) error {
	key := "digest:" + site
	old, err := kvio.OpenOrEmpty(ctx, r.st, key)
	if err != nil {
		return err
	}
	defer old.Close()
	w := kvio.NewWriter(ctx, r.st, key, 8*24*time.Hour)
	if _, err := io.Copy(w, old); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s %s\n", time.Now().UTC().Format("Mon 02 Jan"), line)
	return w.Close() // EXPECT kvrace
}
