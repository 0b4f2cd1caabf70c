//go:build js && wasm

// Package admin implements the operator endpoints and the scheduled jobs.
// It works on the main namespace directly as well as through the services.
package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/quarry/internal/api"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/edge/kvx"
	"example.com/quarry/internal/lease"
)

// schemaMarker holds the key-layout version; it sorts ahead of the data keys
// so a plain listing shows it first.
const schemaMarker = "."

type Admin struct {
	ns     *kv.Namespace
	svc    *api.Services
	leases *lease.Manager
	cfg    *config.Config
	http   *http.Client
	env    func(string) string
}

func New(ns *kv.Namespace, svc *api.Services, leases *lease.Manager, cfg *config.Config, env func(string) string) *Admin {
	return &Admin{ns: ns, svc: svc, leases: leases, cfg: cfg, http: &http.Client{Timeout: 20 * time.Second}, env: env}
}

// ExportKeys writes every key under prefix, one per line.
func (a *Admin) ExportKeys(w io.Writer, prefix string) (int, error) {
	n := 0
	cursor := ""
	for {
		res, err := a.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range res.Keys {
			if _, err := fmt.Fprintln(w, k.Name); err != nil {
				return n, err
			}
			n++
		}
		if res.ListComplete {
			return n, nil
		}
		cursor = res.Cursor
	}
}

// PurgeCache deletes cached report keys under prefix, visiting at most
// budget pages.
func (a *Admin) PurgeCache(prefix string, budget int) (int, error) {
	if !strings.HasPrefix(prefix, "report/") {
		return 0, fmt.Errorf("admin: refusing to purge %q", prefix)
	}
	deleted := 0
	cursor := ""
	for page := 0; page < budget; page++ {
		res, err := a.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if err := a.ns.Delete(k.Name); err != nil {
				return deleted, err
			}
			deleted++
		}
		cursor = res.Cursor
	}
	return deleted, nil
}

// AccountPage is one page of the account browser.
type AccountPage struct {
	Keys   []string `json:"keys"`
	Cursor string   `json:"cursor,omitempty"`
}

// Accounts returns one page of limit records for the account browser.
func (a *Admin) Accounts(cursor string) (AccountPage, error) {
	res, err := a.ns.List(&kv.ListOptions{
		Prefix: "acct/",
		Cursor: cursor,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return AccountPage{}, err
	}
	page := AccountPage{}
	for _, k := range res.Keys {
		if strings.HasSuffix(k.Name, "/limits") {
			page.Keys = append(page.Keys, k.Name)
		}
	}
	if !res.ListComplete {
		page.Cursor = res.Cursor
	}
	return page, nil
}

// SetSchemaVersion records the key-layout version after a migration.
func (a *Admin) SetSchemaVersion(version int) error {
	body := fmt.Sprintf(`{"version":%d,"at":%q}`, version, time.Now().UTC().Format(time.RFC3339))
	return a.ns.PutString(schemaMarker, body, nil) // EXPECT kvlimits
}

// Audit appends a line to today's audit log.
func (a *Admin) Audit(actor, action string) error {
	now := time.Now().UTC()
	key := "audit/" + now.Format("2006-01-02")
	prev, err := a.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if kvx.Missing(prev) {
		prev = ""
	}
	line := fmt.Sprintf("%s\t%s\t%s\n", now.Format(time.RFC3339), actor, action)
	return a.ns.PutString(key, prev+line, &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}) // EXPECT kvrace
}

// Snapshot streams a stored export bundle.
func (a *Admin) Snapshot(w io.Writer, name string) (int64, error) {
	r, err := a.ns.GetReader("snapshots/"+name, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return io.Copy(w, r)
}

// zoneStatsQuery is the Cloudflare GraphQL Analytics query behind the
// operator dashboard's traffic tile.
const zoneStatsQuery = `query ZoneStats($zoneTag: string, $since: Date!, $until: Date!) {
  viewer {
    zones(filter: { zoneTag: $zoneTag }) {
      httpRequests1dGroups(limit: 30, filter: { date_geq: $since, date_lt: $until }, orderBy: [date_ASC]) {
        dimensions { date }
        sum {
          requests
          cachedRequests
          bytes
          cachedBytes
          threats
          pageViews
          responseStatusMap { edgeResponseStatus requests }
          countryMap { clientCountryName requests threats }
        }
        uniq { uniques }
      }
    }
  }
}`

// PublishZoneStats fetches the last 30 days of zone analytics and stores the
// response for the dashboard worker, keyed by the query it answers.
func (a *Admin) PublishZoneStats(ctx context.Context) error {
	until := time.Now().UTC()
	body, _ := json.Marshal(map[string]any{"query": zoneStatsQuery, "variables": map[string]string{
		"zoneTag": a.env("CF_ZONE_TAG"),
		"since":   until.AddDate(0, 0, -30).Format("2006-01-02"),
		"until":   until.Format("2006-01-02"),
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.cloudflare.com/client/v4/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.env("CF_ANALYTICS_TOKEN"))
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("admin: analytics: %s %v", resp.Status, err)
	}
	return a.ns.PutString("gql:"+zoneStatsQuery, string(out), &kv.PutOptions{ExpirationTTL: 900}) // EXPECT kvlimits
}

// ServeHTTP handles /admin/<action>. Callers are authenticated upstream
// (Cloudflare Access).
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	actor := r.Header.Get("Cf-Access-Authenticated-User-Email")
	q := r.URL.Query()
	var err error
	switch strings.TrimPrefix(r.URL.Path, "/admin/") {
	case "keys":
		_, err = a.ExportKeys(w, q.Get("prefix"))
	case "accounts":
		var page AccountPage
		if page, err = a.Accounts(q.Get("cursor")); err == nil {
			err = json.NewEncoder(w).Encode(page)
		}
	case "purge":
		var n int
		if n, err = a.PurgeCache(q.Get("prefix"), a.cfg.Admin.PageBudget); err == nil {
			err = a.Audit(actor, fmt.Sprintf("purge %s (%d keys)", q.Get("prefix"), n))
		}
	case "snapshot":
		_, err = a.Snapshot(w, q.Get("name"))
	case "schema":
		v, _ := strconv.Atoi(q.Get("version"))
		if err = a.SetSchemaVersion(v); err == nil {
			err = a.Audit(actor, fmt.Sprintf("schema -> v%d", v))
		}
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
