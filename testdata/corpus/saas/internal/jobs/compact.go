package jobs

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/db"
	"example.com/saas/internal/kvstore"
)

// trimFailureLogs keeps only the newest lines of each tenant's webhook
// failure log.
func (j *Jobs) trimFailureLogs(ctx context.Context, now time.Time) error {
	ids, err := db.TenantIDs(ctx, j.db)
	if err != nil {
		return err
	}
	for _, tenant := range ids {
		key := "wh-failures:" + tenant
		raw, err := j.webhooks.GetString(key, nil)
		if err != nil {
			return err
		}
		if kvstore.Missing(raw) {
			continue
		}
		lines := strings.Split(strings.TrimSuffix(raw, "\n"), "\n")
		if len(lines) <= config.FailureLogKeep {
			continue
		}
		kept := strings.Join(lines[len(lines)-config.FailureLogKeep:], "\n") + "\n"
		if err := j.webhooks.PutString(key, kept, &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}); err != nil { // EXPECT kvrace
			return err
		}
	}
	return nil
}

// refreshPlanLimits mirrors each tenant's plan allowance from D1 so the
// quota check can run without a database round trip.
func (j *Jobs) refreshPlanLimits(ctx context.Context, now time.Time) error {
	ids, err := db.TenantIDs(ctx, j.db)
	if err != nil {
		return err
	}
	for _, tenant := range ids {
		p, err := db.LoadPlan(ctx, j.db, tenant)
		if err != nil {
			return err
		}
		err = j.limits.PutString("quota-limit:"+tenant, strconv.FormatInt(p.MonthlyUnits, 10), &kv.PutOptions{ // DEBATABLE kvcounter
			ExpirationTTL: 2 * 3600,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type monthSummary struct {
	Tenant  string           `json:"tenant"`
	Month   string           `json:"month"`
	Metrics map[string]int64 `json:"metrics"`
	Built   int64            `json:"built"`
}

// compactMeters replaces last month's daily meter keys with one summary
// computed by D1, then deletes the daily keys.
func (j *Jobs) compactMeters(ctx context.Context, now time.Time) error {
	month := kvstore.MonthOf(now.AddDate(0, -1, 0))
	rows, err := j.db.QueryContext(ctx,
		`SELECT tenant_id, metric, SUM(units) FROM usage_events WHERE month = ? GROUP BY tenant_id, metric`, month)
	if err != nil {
		return err
	}
	defer rows.Close()
	sums := map[string]*monthSummary{}
	for rows.Next() {
		var tenant, metric string
		var units int64
		if err := rows.Scan(&tenant, &metric, &units); err != nil {
			return err
		}
		s := sums[tenant]
		if s == nil {
			s = &monthSummary{Tenant: tenant, Month: month, Metrics: map[string]int64{}}
			sums[tenant] = s
		}
		s.Metrics[metric] = units
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for tenant, s := range sums {
		s.Built = now.Unix()
		b, _ := json.Marshal(s)
		if err := j.cache.PutUntil("usage-month:"+tenant+":"+month, string(b), now.AddDate(1, 0, 0)); err != nil {
			return err
		}
		if err := j.dropDailyMeters(tenant, month); err != nil {
			return err
		}
	}
	return nil
}

func (j *Jobs) dropDailyMeters(tenant, month string) error {
	prefix := "meter:" + tenant + ":"
	cursor := ""
	for page := 0; page < config.MaxListPages; page++ {
		res, err := j.tenants.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, ":"+month) || strings.Contains(k.Name, ":"+month+"-") {
				if err := j.tenants.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return nil
}

// publishLeaderboard caches the "most active workspaces" list for the
// public status page.
func (j *Jobs) publishLeaderboard(ctx context.Context, now time.Time) error {
	rows, err := j.db.QueryContext(ctx,
		`SELECT tenant_id, display_name FROM tenants ORDER BY monthly_units DESC LIMIT 10`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type entry struct {
		Tenant string `json:"tenant"`
		Name   string `json:"name"`
	}
	var top []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.Tenant, &e.Name); err != nil {
			return err
		}
		top = append(top, e)
	}
	b, _ := json.Marshal(top)
	return j.cache.Namespace().PutString("leaderboard:"+kvstore.DayOf(now), string(b), &kv.PutOptions{
		ExpirationTTL: int(config.LeaderboardCache.Milliseconds()), // EXPECT kvttl
	})
}
