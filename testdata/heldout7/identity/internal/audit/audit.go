// Package audit runs periodic consistency checks over the identity namespace:
// sessions about to expire, API keys without an owner, key counts per prefix.
package audit

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"golang.org/x/sync/errgroup"

	"example.com/identity/internal/store"
	"example.com/identity/internal/store/kvsdk"
)

// Job holds the dependencies of the audit cron.
type Job struct {
	st         store.Store
	ns         kvsdk.Namespace
	log        *slog.Logger
	pageBudget int
}

// New returns a Job. pageBudget bounds how many list pages a single check
// may read per run.
func New(st store.Store, ns kvsdk.Namespace, log *slog.Logger, pageBudget int) *Job {
	return &Job{st: st, ns: ns, log: log, pageBudget: pageBudget}
}

// ExpiringSessions counts sessions that expire within the next hour and
// records progress so a restarted run can be correlated in the logs.
func (j *Job) ExpiringSessions(ctx context.Context) (int, error) {
	horizon := time.Now().Add(time.Hour).Unix()
	n := 0
	lo := store.ListOptions{Prefix: "sess:", Limit: 1000}
	for {
		page, err := j.st.List(ctx, lo) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range page.Keys {
			if k.Expiration > 0 && k.Expiration < horizon {
				n++
			}
		}
		if err := j.st.Put(ctx, "audit:checkpoint", []byte(page.Cursor), store.WithTTL(24*time.Hour)); err != nil { // EXPECT kvhotkey
			return n, err
		}
		if page.Cursor == "" {
			break
		}
		lo.Cursor = page.Cursor
	}
	return n, nil
}

// OrphanedAPIKeys finds keys whose metadata has no owner.
func (j *Job) OrphanedAPIKeys(ctx context.Context) ([]string, error) {
	iter := j.ns.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.ns.ID, kv.NamespaceKeyListParams{AccountID: cloudflare.F(j.ns.AccountID), Prefix: cloudflare.F("apikey:")}) // EXPECT kvlist
	var orphans []string
	for iter.Next() {
		k := iter.Current()
		md, _ := k.Metadata.(map[string]any)
		if owner, _ := md["owner"].(string); owner == "" {
			orphans = append(orphans, k.Name)
		}
	}
	return orphans, iter.Err()
}

// CountPrefix counts keys under prefix, reading at most pageBudget pages.
func (j *Job) CountPrefix(ctx context.Context, prefix string) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	total := 0
	for range j.pageBudget {
		page, err := j.ns.Client.KV.Namespaces.Keys.List(ctx, j.ns.ID, params) // EXPECT kvlist
		if err != nil {
			return total, err
		}
		if len(page.Result) == 0 {
			break
		}
		total += len(page.Result)
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return total, nil
}

// SessionsPerUser counts sessions per user id, within the page budget.
func (j *Job) SessionsPerUser(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	lo := store.ListOptions{Prefix: "sess:", Limit: 1000}
	for range j.pageBudget {
		page, err := j.st.List(ctx, lo) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range page.Keys {
			parts := strings.SplitN(k.Name, ":", 3)
			if len(parts) == 3 {
				out[parts[1]]++
			}
		}
		if page.Complete {
			break
		}
		lo = store.ListOptions{Cursor: page.Cursor, Limit: 1000}
	}
	return out, nil
}

// countBounded counts keys under prefix within the page budget, stopping only
// when the listing says it is complete.
func (j *Job) countBounded(ctx context.Context, prefix string) (int, bool, error) {
	lo := store.ListOptions{Prefix: prefix, Limit: 1000}
	n := 0
	for range j.pageBudget {
		page, err := j.st.List(ctx, lo)
		if err != nil {
			return n, false, err
		}
		n += len(page.Keys)
		if page.Complete {
			return n, true, nil
		}
		lo.Cursor = page.Cursor
	}
	return n, false, nil
}

// CountPrefixes counts several prefixes in parallel, each within the budget.
func (j *Job) CountPrefixes(ctx context.Context, prefixes []string) (map[string]int, error) {
	counts := make([]int, len(prefixes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, p := range prefixes {
		g.Go(func() error {
			n, complete, err := j.countBounded(gctx, p)
			if !complete && err == nil {
				j.log.Info("audit: prefix larger than budget", "prefix", p, "counted", n)
			}
			counts[i] = n
			return err
		})
	}
	err := g.Wait()
	out := make(map[string]int, len(prefixes))
	for i, p := range prefixes {
		out[p] = counts[i]
	}
	return out, err
}

// ClientSnapshot reads the given client records in bulk (100 per request)
// for the weekly export.
func (j *Job) ClientSnapshot(ctx context.Context, ids []string) (map[string]json.RawMessage, error) {
	const batch = 100
	out := map[string]json.RawMessage{}
	for start := 0; start < len(ids); start += batch {
		chunk := ids[start:min(start+batch, len(ids))]
		keys := make([]string, len(chunk))
		for i, id := range chunk {
			keys[i] = "client:" + id
		}
		res, err := j.ns.Client.KV.Namespaces.BulkGet(ctx, j.ns.ID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(j.ns.AccountID),
			Keys:      cloudflare.F(keys),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		for k, v := range kvsdk.BulkText(res) {
			out[strings.TrimPrefix(k, "client:")] = json.RawMessage(v)
		}
	}
	return out, nil
}
