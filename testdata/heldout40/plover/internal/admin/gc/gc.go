// Package gc removes old artifacts, cache entries and build logs from KV.
// It runs from the admin tool on a schedule (hourly in production) and
// keeps the newest builds of each project according to the retention
// policy.
package gc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"plover/internal/admin/kvrest"
	"plover/internal/domain"
	"plover/internal/keys"
)

const (
	lockKey       = "gc:lock"
	lockTTL       = 30 * time.Minute
	checkpointKey = "gc:checkpoint"
	reportKey     = "gc:report"
	nextRunKey    = "gc:next-run"
	maxPages      = 50
)

// ErrLocked is returned when another collector holds the lock.
var ErrLocked = errors.New("gc: another run holds the lock")

// Report summarises one run.
type Report struct {
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
	Deleted  map[string]int `json:"deleted"`
	Failed   []string       `json:"failed,omitempty"`
}

// Collector deletes expired records from one namespace.
type Collector struct {
	kv     kvrest.Client
	policy domain.RetentionPolicy
	now    time.Time
	next   time.Time
	host   string
}

// New returns a Collector. next is when the scheduler will start the
// following run.
func New(cl kvrest.Client, policy domain.RetentionPolicy, next time.Time) *Collector {
	host, _ := os.Hostname()
	return &Collector{kv: cl, policy: policy, now: time.Now(), next: next, host: host}
}

func (c *Collector) lock(ctx context.Context) error {
	_, err := c.kv.Get(ctx, lockKey)
	switch {
	case err == nil:
		return ErrLocked
	case !errors.Is(err, kvrest.ErrNotFound):
		return err
	}
	return c.kv.Put(ctx, lockKey, []byte(c.host+" "+c.now.Format(time.RFC3339)), lockTTL) // EXPECT kvrace
}

// Run performs one collection.
func (c *Collector) Run(ctx context.Context) (rep Report, err error) {
	rep = Report{Started: c.now, Deleted: map[string]int{}}
	if err := c.lock(ctx); err != nil {
		return rep, err
	}
	defer func() {
		if derr := c.kv.Delete(context.WithoutCancel(ctx), lockKey); derr != nil && err == nil {
			err = derr
		}
	}()

	scanners := map[keys.Prefix]func(context.Context, keys.Prefix) ([]string, error){
		keys.Artifact:   c.scanArtifacts,
		keys.CacheEntry: c.scanByExpiry,
		keys.BuildLog:   c.scanLogs,
	}

	var mu sync.Mutex
	doomed := make(map[string]keys.Prefix)
	errc := make(chan error, len(scanners))
	for prefix, scan := range scanners {
		go func() {
			names, err := scan(ctx, prefix)
			if err != nil {
				errc <- fmt.Errorf("gc: scan %s: %w", prefix, err)
				return
			}
			mu.Lock()
			for _, n := range names {
				doomed[n] = prefix
			}
			mu.Unlock()
			errc <- nil
		}()
	}
	var errs []error
	for range scanners {
		if err := <-errc; err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return rep, err
	}

	tx := c.kv.Begin()
	for name, prefix := range doomed {
		tx.Delete(name)
		rep.Deleted[string(prefix)]++
	}
	rep.Failed, err = tx.Commit(ctx)
	if err != nil {
		return rep, err
	}
	rep.Finished = time.Now()
	return rep, c.saveReport(ctx, rep)
}

func (c *Collector) saveReport(ctx context.Context, rep Report) error {
	raw, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	if err := c.kv.Put(ctx, reportKey, raw, time.Until(c.next)); err != nil { // EXPECT kvttl
		return err
	}
	next := []byte(c.next.UTC().Format(time.RFC3339))
	return c.kv.Put(ctx, nextRunKey, next, max(time.Until(c.next), time.Minute))
}

// scanArtifacts keeps the newest KeepLatest builds of each project and
// anything younger than MaxAgeDays.
func (c *Collector) scanArtifacts(ctx context.Context, prefix keys.Prefix) ([]string, error) {
	type rec struct {
		name  string
		build int64
		at    time.Time
	}
	byProject := map[string][]rec{}
	it := c.kv.Keys(ctx, string(prefix)) // EXPECT kvlist
	for it.Next() {
		name := it.Current().Name
		raw, err := c.kv.Get(ctx, name) // EXPECT kvlist
		if errors.Is(err, kvrest.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var a domain.Artifact
		if err := json.Unmarshal(raw, &a); err != nil {
			continue
		}
		byProject[a.Project] = append(byProject[a.Project], rec{name: name, build: a.Build, at: a.Created})
	}
	if err := it.Err(); err != nil {
		return nil, err
	}

	cutoff := c.now.AddDate(0, 0, -c.policy.MaxAgeDays)
	var doomed []string
	for _, recs := range byProject {
		sort.Slice(recs, func(i, j int) bool { return recs[i].build > recs[j].build })
		for i, r := range recs {
			if i >= c.policy.KeepLatest && r.at.Before(cutoff) {
				doomed = append(doomed, r.name)
			}
		}
	}
	return doomed, nil
}

// scanByExpiry removes cache entries that expire within the hour anyway,
// using the expiration the list call returns. It resumes from the last
// checkpoint so that a crashed run does not start over.
func (c *Collector) scanByExpiry(ctx context.Context, prefix keys.Prefix) ([]string, error) {
	cursor := ""
	if raw, err := c.kv.Get(ctx, checkpointKey); err == nil {
		cursor = string(raw)
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return nil, err
	}
	soon := float64(c.now.Add(time.Hour).Unix())
	var doomed []string
	for page := 0; page < maxPages; page++ {
		names, expiries, next, err := c.expiries(ctx, prefix, cursor)
		if err != nil {
			return nil, err
		}
		for i, name := range names {
			if expiries[i] != 0 && expiries[i] < soon {
				doomed = append(doomed, name)
			}
		}
		if next == "" {
			return doomed, c.kv.Delete(ctx, checkpointKey)
		}
		if err := c.kv.Put(ctx, checkpointKey, []byte(next), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return nil, err
		}
		cursor = next
	}
	return doomed, nil
}

func (c *Collector) expiries(ctx context.Context, prefix keys.Prefix, cursor string) ([]string, []float64, string, error) {
	api, account, ns := c.kv.API()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(string(prefix)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := api.KV.Namespaces.Keys.List(ctx, ns, params)
	if err != nil {
		return nil, nil, "", err
	}
	names := make([]string, len(page.Result))
	exp := make([]float64, len(page.Result))
	for i, k := range page.Result {
		names[i], exp[i] = k.Name, k.Expiration
	}
	return names, exp, page.ResultInfo.Cursor, nil
}

// scanLogs removes build log tails written without a lifetime by Worker
// versions before 0.9; newer tails expire a day after the build.
func (c *Collector) scanLogs(ctx context.Context, prefix keys.Prefix) ([]string, error) {
	api, account, ns := c.kv.API()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(string(prefix)),
		Limit:     cloudflare.F(1000.0),
	}
	var doomed []string
	for {
		page, err := api.KV.Namespaces.Keys.List(ctx, ns, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			if k.Expiration == 0 {
				doomed = append(doomed, k.Name)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return doomed, nil
}
