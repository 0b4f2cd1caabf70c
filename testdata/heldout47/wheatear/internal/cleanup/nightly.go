// Package cleanup is the nightly maintenance job: it rebuilds the flag
// index, removes history and override documents of deleted flags, expires
// stale snapshots and leaves a short-lived tombstone for each removal so the
// evaluators can log what disappeared.
package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/wheatear/flagsvc/internal/audit"
	"github.com/wheatear/flagsvc/internal/kvkeys"
	"github.com/wheatear/flagsvc/internal/kvstore"
)

const (
	lockKey         = kvkeys.PrefixFlag + "_cleanup-lock"
	tombstonePrefix = kvkeys.PrefixFlag + "_tomb:"
	bulkDeleteMax   = 10000
	tombstoneBatch  = 20000
	graceSeconds    = 30
	snapshotPages   = 25
	maxRetries      = 3
)

// Report summarises one run.
type Report struct {
	Flags          int           `json:"flags"`
	OrphanHistory  int           `json:"orphan_history"`
	OrphanOverride int           `json:"orphan_overrides"`
	StaleSnapshots int           `json:"stale_snapshots"`
	Took           time.Duration `json:"took"`
}

// Job is the nightly cleanup.
type Job struct {
	kv    *kvstore.Client
	audit *audit.Recorder
	log   *slog.Logger
	Envs  []string
}

// NewJob returns a Job over the flags namespace.
func NewJob(kv *kvstore.Client, rec *audit.Recorder, log *slog.Logger, envs []string) *Job {
	return &Job{kv: kv, audit: rec, log: log, Envs: envs}
}

var errLocked = errors.New("cleanup: another run holds the lock")

func (j *Job) lock(ctx context.Context, runID string) error {
	api, rc := j.kv.API()
	if _, err := j.kv.Get(ctx, lockKey); err == nil {
		return errLocked
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvrace
		NamespaceID: j.kv.Namespace(),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           lockKey,
			Value:         runID,
			ExpirationTTL: int(kvkeys.LockTTL), // EXPECT kvttl
		}},
	})
	return err
}

// Run performs one cleanup pass.
func (j *Job) Run(ctx context.Context, runID string) (*Report, error) {
	start := time.Now()
	if err := j.lock(ctx, runID); err != nil {
		return nil, err
	}
	defer j.kv.Delete(context.WithoutCancel(ctx), lockKey)

	api, rc := j.kv.API()
	ns := j.kv.Namespace()
	rep := &Report{}

	// 1. Every live flag, as "env:name".
	live := make(map[string]bool)
	var resp cloudflare.ListStorageKeysResponse
	var err error
	params := cloudflare.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      kvkeys.PrefixFlag,
		Limit:       2000, // EXPECT kvlimits
	}
	for {
		resp, err = api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return nil, fmt.Errorf("list flags: %w", err)
		}
		if len(resp.Result) == 0 {
			break
		}
		for _, k := range resp.Result {
			name := strings.TrimPrefix(k.Name, kvkeys.PrefixFlag)
			if strings.HasPrefix(name, "_") {
				continue
			}
			live[name] = true
		}
		params.Cursor = resp.Cursor
	}
	rep.Flags = len(live)

	// 2. Publish the index the dashboard uses for search.
	key := kvkeys.KeyFlagIndex
	raw, err := j.kv.Get(ctx, key)
	var index []string
	if err == nil {
		json.Unmarshal(raw, &index)
	} else if !kvstore.IsNotFound(err) {
		return nil, err
	}
	for name := range live {
		if !slices.Contains(index, name) {
			index = append(index, name)
		}
	}
	index = slices.DeleteFunc(index, func(n string) bool { return !live[n] })
	slices.Sort(index)
	raw, _ = json.Marshal(index)
	if err := j.kv.Put(ctx, key, raw); err != nil { // DEBATABLE kvrace
		return nil, err
	}

	// 3. History documents whose flag is gone.
	var orphans []string
	cursor := ""
	page := 0
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: ns,
			Prefix:      kvkeys.PrefixFlagHistory,
			Cursor:      cursor,
		})
		if err != nil {
			return nil, fmt.Errorf("list history: %w", err)
		}
		for _, k := range resp.Result {
			if !live[strings.TrimPrefix(k.Name, kvkeys.PrefixFlagHistory)] {
				orphans = append(orphans, k.Name)
			}
		}
		page++
		progress := fmt.Sprintf(`{"run":%q,"stage":"history","page":%d}`, runID, page)
		if err := j.kv.Put(ctx, kvkeys.KeyCleanupProgress, []byte(progress)); err != nil { // EXPECT kvhotkey
			j.log.Warn("progress not recorded", "err", err)
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	rep.OrphanHistory = len(orphans)

	// 4. Override documents whose flag is gone, per environment.
envs:
	for _, env := range j.Envs {
		prefix := kvkeys.PrefixOverride + env + ":"
		p := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: prefix, Limit: 1000}
		for pages := 0; pages < 50; pages++ {
			resp, err := api.ListWorkersKVKeys(ctx, rc, p) // EXPECT kvlist
			if err != nil {
				j.log.Error("list overrides", "env", env, "err", err)
				continue envs
			}
			for _, k := range resp.Result {
				if !strings.HasPrefix(k.Name, prefix) {
					continue envs
				}
				if !live[env+":"+strings.TrimPrefix(k.Name, prefix)] {
					orphans = append(orphans, k.Name)
					rep.OrphanOverride++
				}
			}
			if resp.Cursor == "" {
				break
			}
			p = cloudflare.ListWorkersKVsParams{NamespaceID: ns, Cursor: resp.Cursor, Limit: 1000}
		}
	}

	// 5. Snapshots of environments that no longer exist.
	cursor = ""
scan:
	for pages := 0; pages < snapshotPages; pages++ {
		keys, next, err := j.kv.ListPage(ctx, kvkeys.PrefixEnvSnapshot, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			env := strings.TrimPrefix(k.Name, kvkeys.PrefixEnvSnapshot)
			if !slices.Contains(j.Envs, env) {
				orphans = append(orphans, k.Name)
				rep.StaleSnapshots++
			}
		}
		if next == "" {
			break scan
		}
		cursor = next
	}

	// 6. Remove, one bulk request per 10,000 keys, then leave tombstones.
	for lo := 0; lo < len(orphans); lo += bulkDeleteMax {
		hi := min(lo+bulkDeleteMax, len(orphans))
		if _, err := api.DeleteWorkersKVEntries(ctx, rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: ns, Keys: orphans[lo:hi]}); err != nil {
			return rep, fmt.Errorf("bulk delete %d-%d: %w", lo, hi, err)
		}
	}
	now := time.Now()
	tombs := make([]*cloudflare.WorkersKVPair, 0, len(orphans))
	for _, k := range orphans {
		tombs = append(tombs, &cloudflare.WorkersKVPair{
			Key:        tombstonePrefix + k,
			Value:      runID,
			Expiration: int(now.Unix()) + graceSeconds, // EXPECT kvttl
		})
	}
	for lo := 0; lo < len(tombs); lo += tombstoneBatch {
		hi := min(lo+tombstoneBatch, len(tombs))
		if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: tombs[lo:hi]}); err != nil { // EXPECT kvlimits
			return rep, err
		}
	}

	// 7. Per-environment audit entries; each gets its own deadline.
	for _, env := range j.Envs {
		func() {
			actx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := j.audit.Record(actx, audit.Event{Env: env, Actor: "nightly", Action: "cleanup.run", Target: runID}); err != nil {
				j.log.Warn("audit entry not written", "env", env, "err", err)
			}
		}()
	}

	rep.Took = time.Since(start)
	raw, _ = json.Marshal(rep)
	attempt := 0
retry:
	err = j.kv.PutWithTTL(ctx, kvkeys.KeyCleanupLastRun, raw, 7*24*time.Hour)
	var th *kvstore.ThrottledError
	if errors.As(err, &th) && attempt < maxRetries {
		attempt++
		time.Sleep(th.Retry << attempt)
		goto retry
	}
	return rep, err
}
