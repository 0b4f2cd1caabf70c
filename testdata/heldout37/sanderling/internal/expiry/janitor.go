// Package expiry is the nightly janitor: it expires API keys nobody used for
// config.StaleAfter, prunes the per-account key indexes and reports session counts.
package expiry

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"sanderling/internal/apikeys"
	"sanderling/internal/config"
	"sanderling/internal/kvstore"
)

// Report summarises one run.
type Report struct {
	Expired      int            `json:"expired"`
	Pruned       int            `json:"pruned"`
	ExpiringSoon []string       `json:"expiring_soon"`
	Sessions     map[string]int `json:"sessions"`
}

// Janitor holds the clients and namespaces the nightly job needs.
type Janitor struct {
	Client    *cloudflare.Client
	API       *cfv0.API
	RC        *cfv0.ResourceContainer
	AccountID string
	AuthNS    string
	Auth      kvstore.Namespace // auth namespace, prefixed "auth:"
	Sessions  kvstore.Lister    // auth namespace, prefixed "sess:"
	State     kvstore.Namespace // state namespace, prefixed "janitor:"
	Log       *slog.Logger
}

// Run is the cron trigger entry point (daily, 03:00 UTC).
func (j *Janitor) Run(ctx context.Context, now time.Time) (Report, error) {
	var rep Report
	var errs [4]error
	rep.Expired, errs[0] = j.expireStaleKeys(ctx, now)
	rep.Pruned, errs[1] = j.pruneOwnerIndexes(ctx)
	rep.ExpiringSoon, errs[2] = j.expiringSoon(ctx, now, 7*24*time.Hour)
	rep.Sessions, errs[3] = j.countSessions(ctx)
	b, _ := json.Marshal(rep)
	if err := j.State.Put(ctx, "last-run", b, kvstore.PutOptions{Metadata: map[string]int64{"at": now.Unix()}}); err != nil {
		return rep, err
	}
	return rep, errors.Join(errs[:]...)
}

func metaUnix(m map[string]any, fields ...string) time.Time {
	for _, f := range fields {
		if v, ok := m[f].(float64); ok && v > 0 {
			return time.Unix(int64(v), 0)
		}
	}
	return time.Time{}
}

// expireStaleKeys deletes API key records whose metadata says they were last
// used (or, if never used, created) before now-StaleAfter.
func (j *Janitor) expireStaleKeys(ctx context.Context, now time.Time) (int, error) {
	cutoff := now.Add(-config.StaleAfter)
	iter := j.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.AuthNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.AccountID),
		Prefix:    cloudflare.F("auth:apikey:"),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	var stale []string
	for iter.Next() {
		k := iter.Current()
		if metaUnix(k.Metadata, "u", "c").Before(cutoff) {
			stale = append(stale, k.Name)
		}
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	for chunk := range slices.Chunk(stale, kvstore.MaxBulk) {
		if _, err := j.API.DeleteWorkersKVEntries(ctx, j.RC, cfv0.DeleteWorkersKVEntriesParams{NamespaceID: j.AuthNS, Keys: chunk}); err != nil { // DEBATABLE kvsession
			return 0, err
		}
	}
	return len(stale), nil
}

// progress records how far a job got, for the ops dashboard.
func (j *Janitor) progress(ctx context.Context, job, cursor string) {
	if err := j.State.Put(ctx, kvstore.Key("progress").Child(job), []byte(cursor), kvstore.PutOptions{TTL: 24 * time.Hour}); err != nil {
		j.Log.WarnContext(ctx, "recording progress", "job", job, "err", err)
	}
}

// pruneOwnerIndexes drops IDs of deleted keys from every account's key index.
// Accounts are processed in parallel.
func (j *Janitor) pruneOwnerIndexes(ctx context.Context) (int, error) {
	var (
		pruned atomic.Int64
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
	)
	sem := make(chan struct{}, 4)
	opts := kvstore.ListOptions{Prefix: "acct:", Limit: 1000}
	for {
		page, err := j.Auth.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(page.Entries) == 0 {
			break
		}
		for _, e := range page.Entries {
			if !strings.HasSuffix(string(e.Key), ":keys") {
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				n, err := j.pruneIndex(ctx, e.Key)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
				pruned.Add(int64(n))
			}()
		}
		if page.Done() {
			break
		}
		opts.Cursor = page.Cursor
		j.progress(ctx, "prune", page.Cursor) // EXPECT kvhotkey
	}
	wg.Wait()
	return int(pruned.Load()), errors.Join(errs...)
}

func (j *Janitor) pruneIndex(ctx context.Context, idx kvstore.Key) (int, error) {
	raw, err := j.Auth.Get(ctx, idx) // EXPECT kvlist
	if kvstore.IsNotFound(err) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return 0, err
	}
	acct := strings.TrimPrefix(strings.TrimSuffix(string(idx), ":keys"), "acct:")
	kept := slices.DeleteFunc(slices.Clone(ids), func(id string) bool {
		_, err := j.Auth.Get(ctx, apikeys.RecordKey(acct, id))
		return kvstore.IsNotFound(err)
	})
	if len(kept) == len(ids) {
		return 0, nil
	}
	b, _ := json.Marshal(kept)
	return len(ids) - len(kept), j.Auth.Put(ctx, idx, b, kvstore.PutOptions{}) // EXPECT kvrace
}

// expiringSoon lists rotated keys whose grace period ends within d, from the
// listing's expirations alone. It reads at most 50 pages.
func (j *Janitor) expiringSoon(ctx context.Context, now time.Time, d time.Duration) ([]string, error) {
	var out []string
	opts := kvstore.ListOptions{Prefix: "apikey:", Limit: 1000}
	for range 50 {
		page, err := j.Auth.List(ctx, opts)
		if err != nil {
			return out, err
		}
		for _, e := range page.Entries {
			if !e.Expiration.IsZero() && e.Expiration.Sub(now) < d {
				out = append(out, string(e.Key))
			}
		}
		if page.Done() {
			return out, nil
		}
		opts.Cursor = page.Cursor
	}
	j.Log.WarnContext(ctx, "expiringSoon stopped at page budget", "cursor", opts.Cursor)
	return out, nil
}

// countSessions counts live sessions per user from the session index.
func (j *Janitor) countSessions(ctx context.Context) (map[string]int, error) {
	perUser := map[string]int{}
	opts := kvstore.ListOptions{Prefix: "user:"}
	for range 500 {
		page, err := j.Sessions.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, e := range page.Entries {
			if parts := strings.Split(string(e.Key), ":"); len(parts) == 3 {
				perUser[parts[1]]++
			}
		}
		if page.Done() {
			break
		}
		opts = kvstore.ListOptions{Cursor: page.Cursor}
	}
	return perUser, nil
}
