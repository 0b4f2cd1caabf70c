// Package reports builds occupancy reports from the warehouse and publishes
// them to KV for the lobby screens and the admin portal.
package reports

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"

	"example.com/alder/internal/backend/cfkv"
	"example.com/alder/internal/backend/cfparams"
	"example.com/alder/internal/storage"
)

// hourlyOccupancySQL aggregates door openings per site and hour.
const hourlyOccupancySQL = `SELECT s.slug AS site, date_trunc('hour', c.opened_at) AS hour, ` +
	`count(DISTINCT c.member_id) AS members, count(*) AS openings, max(s.capacity) AS capacity, ` +
	`round(100.0 * count(DISTINCT c.member_id) / nullif(max(s.capacity), 0), 1) AS utilisation ` +
	`FROM door_openings c JOIN sites s ON s.id = c.site_id ` +
	`LEFT JOIN memberships m ON m.member_id = c.member_id AND m.valid_during @> c.opened_at ` +
	`WHERE c.opened_at >= now() - interval '28 days' AND c.result = 'granted' ` +
	`AND (m.plan IS NULL OR m.plan <> 'staff') ` +
	`GROUP BY s.slug, date_trunc('hour', c.opened_at) ORDER BY s.slug, hour`

// Warehouse runs read-only SQL; *sql.DB satisfies it.
type Warehouse interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// HourRow is one line of the hourly occupancy report.
type HourRow struct {
	Site        string    `json:"site"`
	Hour        time.Time `json:"hour"`
	Members     int       `json:"members"`
	Openings    int       `json:"openings"`
	Capacity    int       `json:"capacity"`
	Utilisation float64   `json:"utilisation"`
}

// Service publishes reports.
type Service struct {
	client     *cloudflare.Client
	acct       cfparams.Account
	store      storage.Store
	wh         Warehouse
	pageBudget int
}

// ProvideService builds the report service.
func ProvideService(st *cfkv.Store, wh Warehouse) *Service {
	return &Service{client: st.Client(), acct: st.Account(), store: st, wh: wh, pageBudget: 20}
}

// PublishHourly runs the hourly occupancy query and stores the result for
// the dashboards.
func (s *Service) PublishHourly(ctx context.Context) (int, error) {
	rows, err := s.wh.QueryContext(ctx, hourlyOccupancySQL)
	if err != nil {
		return 0, fmt.Errorf("reports: hourly query: %w", err)
	}
	defer rows.Close()
	var out []HourRow
	for rows.Next() {
		var r HourRow
		if err := rows.Scan(&r.Site, &r.Hour, &r.Members, &r.Openings, &r.Capacity, &r.Utilisation); err != nil {
			return 0, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return 0, err
	}
	if err := s.store.Put(ctx, "report:"+hourlyOccupancySQL, raw, storage.PutOptions{TTL: 6 * time.Hour}); err != nil { // EXPECT kvlimits
		return 0, err
	}
	if err := s.store.Put(ctx, "report:hourly:latest", raw, storage.PutOptions{TTL: 6 * time.Hour}); err != nil {
		return 0, err
	}
	return len(out), nil
}

type progress struct {
	LastKey string    `json:"last_key"`
	At      time.Time `json:"at"`
}

// ExportCheckins writes every check-in tally key to w, one per line, and
// records how far it got so the admin page can show progress.
func (s *Service) ExportCheckins(ctx context.Context, w io.Writer) (int, error) {
	iter := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.acct.Namespace, s.acct.ListKeys("checkins:", "", 1000)) // EXPECT kvlist
	n := 0
	for iter.Next() {
		k := iter.Current()
		if _, err := fmt.Fprintln(w, k.Name); err != nil {
			return n, err
		}
		n++
		raw, _ := json.Marshal(progress{LastKey: k.Name, At: time.Now()})
		if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.acct.Namespace, "reports:export:progress", s.acct.Value(string(raw), "")); err != nil { // EXPECT kvhotkey
			return n, err
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	done := "export:" + time.Now().UTC().Format(time.RFC3339)
	return n, s.store.Put(ctx, done, []byte("complete"), storage.PutOptions{TTL: 30 * 24 * time.Hour})
}

// ScanSites lists the site keys of the check-in tallies, following the
// cursor for at most the page budget.
func (s *Service) ScanSites(ctx context.Context) (map[string]int, error) {
	const prefix = "checkins:"
	sites := make(map[string]int)
	cursor := ""
	for page := 0; page < s.pageBudget; page++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := s.client.KV.Namespaces.Keys.List(ctx, s.acct.Namespace, s.acct.ListKeys(prefix, cursor, 1000))
		if err != nil {
			return nil, err
		}
		for _, k := range res.Result {
			site, _, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":")
			sites[site]++
		}
		cursor = res.ResultInfo.Cursor
		if cursor == "" {
			return sites, nil
		}
	}
	return sites, fmt.Errorf("reports: more than %d pages of check-ins", s.pageBudget)
}

// RecentExports returns the first page of export records and the cursor to
// the next page, for the admin page's "recent exports" box.
func (s *Service) RecentExports(ctx context.Context) ([]string, string, error) {
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.acct.Namespace, s.acct.ListKeys("export:", "", 5)) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}
