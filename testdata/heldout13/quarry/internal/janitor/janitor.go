// Package janitor holds the nightly maintenance jobs. Each job is selected by
// name from the command line or the QUARRY_JANITOR_JOBS setting.
package janitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/quarry/internal/cfclient"
)

// Job is one maintenance task.
type Job func(ctx context.Context, j *Janitor) error

// UnknownJobError names a job that is not registered.
type UnknownJobError struct{ Name string }

func (e *UnknownJobError) Error() string { return "janitor: unknown job " + e.Name }

// Jobs maps a job name to its implementation.
var Jobs = map[string]Job{
	"prune-cache":      pruneCache,
	"orphan-artifacts": orphanArtifacts,
	"compact-logs":     compactLogs,
	"sweep-receipts":   sweepReceipts,
}

// Janitor carries what the jobs need.
type Janitor struct {
	Builds    cfclient.Namespace
	Artifacts cfclient.Namespace
	Auth      cfclient.Namespace
	Cache     cfclient.Namespace
	Log       *slog.Logger
	// DisabledEcosystems are resolver ecosystems no longer supported.
	DisabledEcosystems []string
	// LiveProjects returns the set of projects that still exist.
	LiveProjects func(ctx context.Context) (map[string]bool, error)
	// PerCall bounds each API call.
	PerCall time.Duration
}

// Run executes the named jobs in order, continuing past failures.
func (j *Janitor) Run(ctx context.Context, names []string) error {
	var errs []error
	for _, name := range names {
		job, ok := Jobs[name]
		if !ok {
			errs = append(errs, &UnknownJobError{Name: name})
			continue
		}
		start := time.Now()
		err := job(ctx, j)
		j.Log.InfoContext(ctx, "janitor job finished", "job", name, "took", time.Since(start).Round(time.Millisecond), "err", err)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func (j *Janitor) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, max(j.PerCall, 5*time.Second))
}

func (j *Janitor) bulkDelete(ctx context.Context, ns cfclient.Namespace, keys []string) error {
	for chunk := range slices.Chunk(keys, 1000) {
		cctx, cancel := j.call(ctx)
		_, err := ns.Client.KV.Namespaces.BulkDelete(cctx, ns.ID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(ns.AccountID),
			Body:      chunk,
		})
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// pruneCache drops cached resolutions of ecosystems that are switched off.
func pruneCache(ctx context.Context, j *Janitor) error {
	const maxPages = 50
	var errs []error
	for _, eco := range j.DisabledEcosystems {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(j.Cache.AccountID),
			Prefix:    cloudflare.F("res:" + eco + ":"),
			Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
		}
		var doomed []string
		for page := 0; page < maxPages; page++ {
			cctx, cancel := j.call(ctx)
			res, err := j.Cache.Client.KV.Namespaces.Keys.List(cctx, j.Cache.ID, params)
			cancel()
			if err != nil {
				errs = append(errs, err)
				break
			}
			for _, k := range res.Result {
				doomed = append(doomed, k.Name)
			}
			if res.ResultInfo.Cursor == "" {
				break
			}
			params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
		}
		if err := j.bulkDelete(ctx, j.Cache, doomed); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// orphanArtifacts removes metadata of artifacts whose project was deleted.
func orphanArtifacts(ctx context.Context, j *Janitor) error {
	live, err := j.LiveProjects(ctx)
	if err != nil {
		return err
	}
	iter := j.Artifacts.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.Artifacts.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.Artifacts.AccountID),
		Prefix:    cloudflare.F("art:"),
	})
	removed := 0
	for iter.Next() {
		name := iter.Current().Name
		project, _, _ := strings.Cut(strings.TrimPrefix(name, "art:"), "/")
		if live[project] {
			continue
		}
		if _, err := j.Artifacts.Client.KV.Namespaces.Values.Delete(ctx, j.Artifacts.ID, name, kv.NamespaceValueDeleteParams{
			AccountID: cloudflare.F(j.Artifacts.AccountID),
		}); err != nil {
			return err
		}
		removed++
		_, err := j.Artifacts.Client.KV.Namespaces.Values.Update(ctx, j.Artifacts.ID, "janitor:orphan-artifacts", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(j.Artifacts.AccountID),
			Value:     cloudflare.F(fmt.Sprintf(`{"last":%q,"removed":%d}`, name, removed)),
		})
		if err != nil {
			j.Log.WarnContext(ctx, "progress not saved", "err", err)
		}
	}
	return iter.Err()
}

// compactLogs deletes the split log parts of jobs whose full log was uploaded.
func compactLogs(ctx context.Context, j *Janitor) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.Builds.AccountID),
		Prefix:    cloudflare.F("log:"),
	}
	full := map[string]bool{}
	var parts []string
	for {
		res, err := j.Builds.Client.KV.Namespaces.Keys.List(ctx, j.Builds.ID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			id, rest, _ := strings.Cut(strings.TrimPrefix(k.Name, "log:"), "/")
			switch {
			case rest == "full":
				full[id] = true
			case rest != "":
				parts = append(parts, k.Name)
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	var doomed []string
	for _, p := range parts {
		id, _, _ := strings.Cut(strings.TrimPrefix(p, "log:"), "/")
		if full[id] {
			doomed = append(doomed, p)
		}
	}
	return j.bulkDelete(ctx, j.Builds, doomed)
}

// sweepReceipts removes upload receipts older than a day that lost their TTL
// during the 2023 migration.
func sweepReceipts(ctx context.Context, j *Janitor) error {
	cutoff := time.Now().Add(-24 * time.Hour)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.Builds.AccountID),
		Prefix:    cloudflare.F("receipt:"),
		Limit:     cloudflare.F(1000.0),
	}
	var doomed []string
	for range 100 {
		cctx, cancel := j.call(ctx)
		res, err := j.Builds.Client.KV.Namespaces.Keys.List(cctx, j.Builds.ID, params) // EXPECT kvlist
		cancel()
		if err != nil {
			return err
		}
		if len(res.Result) == 0 {
			break
		}
		for _, k := range res.Result {
			if k.Expiration == 0 || time.Unix(int64(k.Expiration), 0).Before(cutoff) {
				doomed = append(doomed, k.Name)
			}
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return j.bulkDelete(ctx, j.Builds, doomed)
}
