// Package jobs holds the scheduled (cron trigger) maintenance tasks.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/db"
	"example.com/saas/internal/kvstore"
)

// Jobs bundles the bindings the tasks need.
type Jobs struct {
	tenants  *kv.Namespace
	webhooks *kv.Namespace
	limits   *kv.Namespace
	flags    *kv.Namespace
	cache    *kvstore.Store
	db       *sql.DB
}

// New binds everything.
func New() (*Jobs, error) {
	j := &Jobs{}
	var err error
	for _, b := range []struct {
		name string
		dst  **kv.Namespace
	}{
		{config.BindingTenants, &j.tenants},
		{config.BindingWebhooks, &j.webhooks},
		{config.BindingLimits, &j.limits},
		{config.BindingFlags, &j.flags},
	} {
		if *b.dst, err = kv.NewNamespace(b.name); err != nil {
			return nil, err
		}
	}
	if j.cache, err = kvstore.Open(config.BindingCache); err != nil {
		return nil, err
	}
	if j.db, err = db.Get(); err != nil {
		return nil, err
	}
	return j, nil
}

// Run dispatches on the cron expression from wrangler.toml.
func (j *Jobs) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var tasks []func(context.Context, time.Time) error
	switch ev.Cron {
	case "*/10 * * * *":
		tasks = append(tasks, j.purgeRetries, j.publishFlags)
	case "0 * * * *":
		tasks = append(tasks, j.trimFailureLogs, j.refreshPlanLimits)
	case "30 3 * * *":
		tasks = append(tasks, j.compactMeters, j.publishLeaderboard, j.expireRateBuckets)
	default:
		return fmt.Errorf("jobs: unexpected schedule %q", ev.Cron)
	}
	var errs []error
	for _, t := range tasks {
		if err := t(ctx, ev.ScheduledTime); err != nil {
			errs = append(errs, err)
		}
	}
	j.stamp(ev.Cron, ev.ScheduledTime)
	return errors.Join(errs...)
}

// stamp records when a schedule last ran, shown on the status page.
func (j *Jobs) stamp(schedule string, at time.Time) {
	_ = j.cache.PutSeconds("cron-last-run:"+schedule, strconv.FormatInt(at.Unix(), 10), 7*24*3600)
}

// purgeRetries drops retry markers whose deliveries were abandoned.
func (j *Jobs) purgeRetries(ctx context.Context, now time.Time) error {
	cursor := ""
	for page := 0; page < config.MaxListPages; page++ {
		res, err := j.webhooks.List(&kv.ListOptions{
			Prefix: "wh-retry:",
			Limit:  config.ListPageSize,
			Cursor: cursor,
		})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration) < now.Add(-time.Hour).Unix() {
				if err := j.webhooks.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete || ctx.Err() != nil {
			return ctx.Err()
		}
		cursor = res.Cursor
	}
	return nil
}

// publishFlags copies the flags table from D1 into KV, where the request
// path reads it.
func (j *Jobs) publishFlags(ctx context.Context, now time.Time) error {
	rows, err := j.db.QueryContext(ctx, `SELECT tenant_id, flags_json FROM tenant_flags WHERE dirty = 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var tenant, doc string
		if err := rows.Scan(&tenant, &doc); err != nil {
			return err
		}
		if err := j.flags.PutString(kvstore.FlagKey(tenant), doc, nil); err != nil {
			return err
		}
	}
	return rows.Err()
}

// expireRateBuckets removes rate-limit windows left over from deploys that
// wrote them without a TTL.
func (j *Jobs) expireRateBuckets(ctx context.Context, now time.Time) error {
	opts := &kv.ListOptions{Prefix: "rl:", Limit: config.ListPageSize}
	for page := 0; page < config.MaxListPages; page++ {
		res, err := j.limits.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := j.limits.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
	return nil
}
