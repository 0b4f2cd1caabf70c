// Package audit lists tenants' keys for usage reports, exports and
// cleanups. It runs in the admin backend against the REST API.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvrest"
	"github.com/exptrack/redstart/internal/uow"
)

// Auditor reads the namespaces named by binding.
type Auditor struct {
	KV *kvrest.Client
	// NS maps a binding name (CONFIG, ASSIGN, EVENTS, SESSIONS, CACHE) to
	// its namespace ID.
	NS map[string]string
	DB *sql.DB
}

// Usage counts a tenant's keys in one namespace.
type Usage struct {
	Keys     int
	Expiring int
	ByPrefix map[string]int
}

// TenantUsage counts the keys of a tenant by key prefix.
func (a *Auditor) TenantUsage(ctx context.Context, binding, tenant string) (Usage, error) {
	u := Usage{ByPrefix: map[string]int{}}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.KV.AccountID),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := a.KV.API.KV.Namespaces.Keys.List(ctx, a.NS[binding], params) // EXPECT kvlist
		if err != nil {
			return u, err
		}
		for _, k := range page.Result {
			kind, rest, _ := strings.Cut(k.Name, ":")
			if !strings.HasPrefix(rest, tenant+":") && rest != tenant {
				continue
			}
			u.Keys++
			u.ByPrefix[kind]++
			if k.Expiration > 0 {
				u.Expiring++
			}
		}
		if page.ResultInfo.Cursor == "" {
			return u, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// Export writes every key of a tenant in CONFIG as JSON lines, with its
// metadata, for the tenant's data export.
func (a *Auditor) Export(ctx context.Context, tenant string, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	n := 0
	for _, prefix := range []string{keys.ExperimentPrefix(tenant), "rollout:" + tenant + ":", "user:" + tenant + ":"} {
		err := a.KV.Each(ctx, a.NS["CONFIG"], prefix, func(k kv.Key) error { // EXPECT kvlist
			n++
			return enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration, "metadata": k.Metadata})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// FindByStatus returns the key of the tenant's experiment with the given
// status, as recorded in list metadata, stopping at the first match.
func (a *Auditor) FindByStatus(ctx context.Context, tenant, status string) (string, error) {
	found := ""
	err := a.KV.Each(ctx, a.NS["CONFIG"], keys.ExperimentPrefix(tenant), func(k kv.Key) error {
		if m, ok := k.Metadata.(map[string]any); ok && m["status"] == status {
			found = k.Name
			return kvrest.ErrStop
		}
		return nil
	})
	return found, err
}

// ExpiringWithin lists keys of a namespace that expire before now+d.
func (a *Auditor) ExpiringWithin(ctx context.Context, binding string, d time.Duration) ([]string, error) {
	limit := float64(time.Now().Add(d).Unix())
	pager := a.KV.API.KV.Namespaces.Keys.ListAutoPaging(ctx, a.NS[binding], kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.KV.AccountID),
	})
	var out []string
	for pager.Next() {
		k := pager.Current()
		if k.Expiration > 0 && k.Expiration < limit {
			out = append(out, k.Name)
		}
	}
	return out, pager.Err()
}

// DumpValues writes key=value lines for the keys under prefix, for
// debugging one experiment. It reads at most maxPages pages.
func (a *Auditor) DumpValues(ctx context.Context, binding, prefix string, w io.Writer) error {
	ns := a.NS[binding]
	cursor := ""
	for p := 0; p < 3; p++ {
		page, next, err := a.KV.Page(ctx, ns, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page {
			v, err := a.KV.Get(ctx, ns, k.Name) // EXPECT kvlist
			if errors.Is(err, kvrest.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s=%s\n", k.Name, v)
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return nil
}

// HasKeys reports whether a tenant still has anything in a namespace, before
// the namespace's tenant entry is dropped.
func (a *Auditor) HasKeys(ctx context.Context, binding, tenant string) (bool, error) {
	page, err := a.KV.API.KV.Namespaces.Keys.List(ctx, a.NS[binding], kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(a.KV.AccountID),
		Prefix:    cloudflare.F(keys.ExperimentPrefix(tenant)),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0, nil
}

// Inspect prints one value for the support console.
func (a *Auditor) Inspect(ctx context.Context, binding, key string, w io.Writer) error {
	resp, err := a.KV.API.KV.Namespaces.Values.Get(ctx, a.NS[binding], key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.KV.AccountID),
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		_, err = fmt.Fprintf(w, "%s: (missing)\n", key)
		return err
	}
	_, err = fmt.Fprintf(w, "%s: %s\nexpires: %s\n", key, raw, resp.Header.Get("Expiration"))
	return err
}

// cleanup is one kind of tenant cleanup.
type cleanup struct {
	binding string
	prefix  func(tenant string) string
	visit   func(ctx context.Context, a *Auditor, tenant string, k kv.Key, u *uow.UnitOfWork) error
}

var cleanups = map[string]cleanup{
	"closed-experiments": {
		binding: "CONFIG",
		prefix:  keys.ExperimentPrefix,
		visit: func(_ context.Context, _ *Auditor, _ string, k kv.Key, u *uow.UnitOfWork) error {
			if m, ok := k.Metadata.(map[string]any); ok && m["status"] == "archived" {
				u.Delete(k.Name)
				u.Delete(strings.Replace(k.Name, "exp:", "rollout:", 1))
			}
			return nil
		},
	},
	"removed-admins": {
		binding: "SESSIONS",
		prefix:  keys.TenantSessionPrefix,
		visit: func(ctx context.Context, a *Auditor, tenant string, k kv.Key, _ *uow.UnitOfWork) error {
			parts := strings.SplitN(k.Name, ":", 4)
			if len(parts) != 4 {
				return nil
			}
			if _, err := a.KV.Get(ctx, a.NS["CONFIG"], keys.User(tenant, parts[2])); !errors.Is(err, kvrest.ErrNotFound) { // DEBATABLE kvlist
				return err
			}
			return a.KV.Delete(ctx, a.NS["SESSIONS"], k.Name) // EXPECT kvsession
		},
	},
	"orphan-assignments": {
		binding: "ASSIGN",
		prefix:  func(tenant string) string { return "asg:" + tenant + ":" },
		visit: func(_ context.Context, _ *Auditor, _ string, k kv.Key, u *uow.UnitOfWork) error {
			if k.Expiration == 0 {
				u.Delete(k.Name)
			}
			return nil
		},
	},
}

// Cleanup runs one kind of cleanup over a tenant's keys, visiting at most
// budget keys. Progress is saved so that the next run continues where this
// one stopped.
func (a *Auditor) Cleanup(ctx context.Context, kind, tenant string, budget int) (int, error) {
	c, ok := cleanups[kind]
	if !ok {
		return 0, fmt.Errorf("audit: unknown cleanup %q", kind)
	}
	ns := a.NS[c.binding]
	progressKey := "cleanup-progress:" + kind + ":" + tenant
	cursor := ""
	if raw, err := a.KV.Get(ctx, a.NS["CONFIG"], progressKey); err == nil {
		cursor = string(raw)
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return 0, err
	}
	u := uow.New()
	visited := 0
	for visited < budget {
		page, next, err := a.KV.Page(ctx, ns, c.prefix(tenant), cursor, min(1000, budget-visited))
		if err != nil {
			return visited, err
		}
		for _, k := range page {
			if err := c.visit(ctx, a, tenant, k, u); err != nil {
				return visited, err
			}
			visited++
		}
		cursor = next
		if err := a.KV.Put(ctx, a.NS["CONFIG"], progressKey, []byte(cursor), 7*24*time.Hour); err != nil { // EXPECT kvhotkey
			return visited, err
		}
		if cursor == "" {
			break
		}
	}
	return visited, a.KV.Commit(ctx, ns, u)
}

// exposureReportSQL ranks a tenant's experiments by exposures over the
// last 30 days, with the share of the leading variant.
const exposureReportSQL = `SELECT e.id, e.name, e.status, SUM(x.exposures) AS exposures,
       MAX(x.exposures) * 1.0 / NULLIF(SUM(x.exposures), 0) AS leader_share,
       MIN(x.day) AS first_day, MAX(x.day) AS last_day
  FROM experiments e
  JOIN exposure_daily x ON x.tenant_id = e.tenant_id AND x.experiment_id = e.id
 WHERE e.tenant_id = $1
   AND x.day >= CURRENT_DATE - INTERVAL '30 days'
   AND e.status IN ('running', 'paused', 'stopped')
 GROUP BY e.id, e.name, e.status
HAVING SUM(x.exposures) > 0
 ORDER BY exposures DESC, e.name ASC
 LIMIT 50`

// ReportRow is one line of the exposure report.
type ReportRow struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Status      string  `json:"status"`
	Exposures   int64   `json:"exposures"`
	LeaderShare float64 `json:"leader_share"`
}

// ExposureReport returns the report from the database, cached in KV for
// ten minutes per tenant.
func (a *Auditor) ExposureReport(ctx context.Context, tenant string) ([]ReportRow, error) {
	ns := a.NS["CACHE"]
	key := "report:" + tenant + ":" + exposureReportSQL // EXPECT kvlimits
	if raw, err := a.KV.Get(ctx, ns, key); err == nil {
		var rows []ReportRow
		if json.Unmarshal(raw, &rows) == nil {
			return rows, nil
		}
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return nil, err
	}
	res, err := a.DB.QueryContext(ctx, exposureReportSQL, tenant)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	var rows []ReportRow
	for res.Next() {
		var r ReportRow
		var first, last time.Time
		var share sql.NullFloat64
		if err := res.Scan(&r.ID, &r.Name, &r.Status, &r.Exposures, &share, &first, &last); err != nil {
			return nil, err
		}
		r.LeaderShare = share.Float64
		rows = append(rows, r)
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(rows)
	return rows, a.KV.Put(ctx, ns, key, body, 10*time.Minute)
}

// RecordViews adds n dashboard page views to a tenant's daily tally.
func (a *Auditor) RecordViews(ctx context.Context, tenant string, day time.Time, n int64) error {
	ns := a.NS["EVENTS"]
	key := "views:" + tenant + ":" + day.UTC().Format("2006-01-02")
	var prev int64
	raw, err := a.KV.Get(ctx, ns, key)
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		prev, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	return a.KV.Put(ctx, ns, key, []byte(strconv.FormatInt(prev+n, 10)), 90*24*time.Hour) // EXPECT kvcounter
}
