// Package reconcile compares the device registry in KV with the inventory
// database and repairs drift. It runs from cron inside the daemon.
package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"golang.org/x/sync/errgroup"

	"example.com/fleet/internal/store"
)

// Inventory is the system of record for devices.
type Inventory interface {
	Known(ctx context.Context, deviceID string) (bool, error)
}

// Job is the reconciliation job.
type Job struct {
	client    *cloudflare.Client
	accountID string
	ns        string
	st        store.Store
	inv       Inventory
	log       *slog.Logger
	maxPages  int
	workers   int
}

// Config configures a Job.
type Config struct {
	AccountID   string
	NamespaceID string
	MaxPages    int
	Workers     int
}

// New returns a Job.
func New(client *cloudflare.Client, st store.Store, inv Inventory, log *slog.Logger, cfg Config) *Job {
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 50
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	return &Job{client: client, accountID: cfg.AccountID, ns: cfg.NamespaceID, st: st, inv: inv, log: log, maxPages: cfg.MaxPages, workers: cfg.Workers}
}

func (j *Job) listParams(prefix, cursor string) kv.NamespaceKeyListParams {
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	return p
}

// AllDeviceIDs returns the id of every enrolled device.
func (j *Job) AllDeviceIDs(ctx context.Context) ([]string, error) {
	var ids []string
	cursor := ""
	for {
		page, err := j.client.KV.Namespaces.Keys.List(ctx, j.ns, j.listParams("device:", cursor)) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			ids = append(ids, strings.TrimPrefix(k.Name, "device:"))
		}
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			return ids, nil
		}
	}
}

// deviceIDsBudgeted walks at most maxPages pages of device keys.
func (j *Job) deviceIDsBudgeted(ctx context.Context) (ids []string, truncated bool, err error) {
	cursor := ""
	for range j.maxPages {
		page, err := j.client.KV.Namespaces.Keys.List(ctx, j.ns, j.listParams("device:", cursor))
		if err != nil {
			return nil, false, err
		}
		for _, k := range page.Result {
			ids = append(ids, strings.TrimPrefix(k.Name, "device:"))
		}
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			return ids, false, nil
		}
	}
	return ids, true, nil
}

type deviceDoc struct {
	ID     string `json:"id"`
	Tenant string `json:"tenant"`
	Model  string `json:"model"`
}

// Models returns how many devices of each model are enrolled, looking at the
// first pages of the registry.
func (j *Job) Models(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	cursor := ""
	for range j.maxPages {
		page, err := j.client.KV.Namespaces.Keys.List(ctx, j.ns, j.listParams("device:", cursor))
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			res, err := j.client.KV.Namespaces.Values.Get(ctx, j.ns, k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.accountID)}) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			var d deviceDoc
			err = json.NewDecoder(res.Body).Decode(&d)
			res.Body.Close()
			if err != nil {
				return nil, err
			}
			counts[d.Model]++
		}
		if cursor = page.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	return counts, nil
}

// Tokens returns every token key; used by the audit export.
func (j *Job) Tokens(ctx context.Context) ([]string, error) {
	var names []string
	iter := j.client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.ns, j.listParams("token:", "")) // EXPECT kvlist
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	return names, iter.Err()
}

// Sample returns one page of keys under prefix for the operator console,
// plus the cursor of the next page.
func (j *Job) Sample(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := j.client.KV.Namespaces.Keys.List(ctx, j.ns, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// Report is the summary of a run.
type Report struct {
	Checked    int       `json:"checked"`
	Orphans    int       `json:"orphans"`
	Truncated  bool      `json:"truncated"`
	FinishedAt time.Time `json:"finished_at"`
}

// Run checks every device against the inventory with a worker pool, flags
// orphans and records the outcome.
func (j *Job) Run(ctx context.Context) (Report, error) {
	ids, truncated, err := j.deviceIDsBudgeted(ctx)
	if err != nil {
		return Report{}, err
	}
	orphans := make(chan string, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(j.workers)
	for _, id := range ids {
		g.Go(func() error {
			ok, err := j.inv.Known(gctx, id)
			if err != nil {
				return fmt.Errorf("inventory %s: %w", id, err)
			}
			if ok {
				return nil
			}
			orphans <- id
			return j.st.Put(gctx, "orphan:"+id, []byte(time.Now().UTC().Format(time.RFC3339)), store.WithTTL(7*24*time.Hour))
		})
	}
	if err := g.Wait(); err != nil {
		return Report{}, err
	}
	close(orphans)
	rep := Report{Checked: len(ids), Orphans: len(orphans), Truncated: truncated, FinishedAt: time.Now()}
	b, _ := json.Marshal(rep)
	if err := j.st.Put(ctx, "reconcile:last-run", b); err != nil {
		return rep, err
	}
	j.log.Info("reconcile finished", "checked", rep.Checked, "orphans", rep.Orphans, "truncated", truncated)
	return rep, nil
}

// Tenants returns the tenant of each device on the first pages of the
// registry, reading device records a page at a time with bulk reads.
func (j *Job) Tenants(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	cursor := ""
	for range j.maxPages {
		params := j.listParams("device:", cursor)
		params.Limit = cloudflare.F(100.0)
		page, err := j.client.KV.Namespaces.Keys.List(ctx, j.ns, params)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(page.Result))
		for _, k := range page.Result {
			keys = append(keys, k.Name)
		}
		if len(keys) > 0 {
			res, err := j.client.KV.Namespaces.Keys.BulkGet(ctx, j.ns, kv.NamespaceKeyBulkGetParams{
				AccountID: cloudflare.F(j.accountID),
				Keys:      cloudflare.F(keys),
				Type:      cloudflare.F(kv.NamespaceKeyBulkGetParamsTypeJson),
			})
			if err != nil {
				return nil, err
			}
			if vals, ok := res.AsUnion().(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult); ok {
				for name, v := range vals.Values {
					if m, ok := v.(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResultValuesMap); ok {
						out[strings.TrimPrefix(name, "device:")] = fmt.Sprint(m["tenant"])
					}
				}
			}
		}
		if cursor = page.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	return out, nil
}
