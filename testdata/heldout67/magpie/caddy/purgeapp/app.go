// Package purgeapp is a Caddy app that drains the cache purge queue written
// by the media API. It runs on every Caddy node; a job is marked running
// before it is worked on so the nodes mostly stay out of each other's way.
package purgeapp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/cache"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"go.uber.org/zap"

	"github.com/magpie-media/magpie/caddy/kvpool"
	"github.com/magpie-media/magpie/internal/kvrest"
	"github.com/magpie-media/magpie/internal/media/purge"
)

func init() {
	caddy.RegisterModule(App{})
}

// App is the magpie_purge app.
type App struct {
	Namespace kvpool.Config `json:"namespace"`
	// APIToken is used for the zone purge calls.
	APIToken string `json:"api_token"`
	// Interval between queue scans.
	Interval caddy.Duration `json:"interval,omitempty"`
	// MaxPages bounds one scan of the pending prefix.
	MaxPages int `json:"max_pages,omitempty"`
	// BatchSize is the number of files per purge call (the API takes 30).
	BatchSize int `json:"batch_size,omitempty"`
	// Retain is how long finished jobs are kept.
	Retain caddy.Duration `json:"retain,omitempty"`

	ns     *kvrest.Namespace
	cf     *cloudflare.Client
	queue  *purge.Queue
	log    *zap.Logger
	node   string
	cancel context.CancelFunc
	wg     *sync.WaitGroup

	mu    *sync.Mutex
	tally map[string]int
}

// CaddyModule returns the Caddy module information.
func (App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "magpie_purge",
		New: func() caddy.Module { return new(App) },
	}
}

// Provision sets up the app.
func (a *App) Provision(ctx caddy.Context) error {
	a.log = ctx.Logger()
	ns, err := kvpool.Acquire(a.Namespace)
	if err != nil {
		return err
	}
	a.ns = ns
	token := caddy.NewReplacer().ReplaceAll(a.APIToken, "")
	a.cf = cloudflare.NewClient(option.WithAPIToken(token))
	a.Interval = caddy.Duration(max(time.Duration(a.Interval), 15*time.Second))
	a.MaxPages = cmpOr(a.MaxPages, 5)
	a.BatchSize = min(cmpOr(a.BatchSize, 30), 30)
	if a.Retain == 0 {
		a.Retain = caddy.Duration(14 * 24 * time.Hour)
	}
	a.queue = &purge.Queue{KV: ns, Retain: time.Duration(a.Retain)}
	a.tally = make(map[string]int)
	a.mu, a.wg = new(sync.Mutex), new(sync.WaitGroup)
	a.node, _ = os.Hostname()
	return nil
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Start launches the scanner.
func (a *App) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		t := time.NewTicker(time.Duration(a.Interval))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				a.scan(ctx)
			}
		}
	}()
	return nil
}

// Stop waits for the scanner and writes the per-zone tallies.
func (a *App) Stop() error {
	if a.cancel != nil {
		a.cancel()
	}
	a.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.mu.Lock()
	defer a.mu.Unlock()
	for zone, n := range a.tally {
		_ = a.ns.Put(ctx, "purge:count:"+zone, []byte(strconv.Itoa(n)), 0) // EXPECT kvcounter
	}
	return kvpool.Release(a.Namespace)
}

// scan walks at most MaxPages pages of pending jobs.
func (a *App) scan(ctx context.Context) {
	hb, _ := json.Marshal(map[string]any{"node": a.node, "at": time.Now().Unix()})
	if err := a.ns.Put(ctx, "purge:node:"+a.node, hb, max(3*time.Duration(a.Interval), time.Minute)); err != nil {
		a.log.Warn("heartbeat", zap.Error(err))
	}
	cursor := ""
	for range a.MaxPages {
		keys, next, err := a.ns.Page(ctx, purge.PendingPrefix, cursor, 100)
		if err != nil {
			a.log.Warn("scan", zap.Error(err))
			return
		}
		for _, k := range keys {
			raw, _ := json.Marshal(k.Metadata)
			var meta purge.JobMeta
			if json.Unmarshal(raw, &meta) != nil || meta.Status != purge.Pending {
				continue
			}
			a.run(ctx, strings.TrimPrefix(k.Name, purge.PendingPrefix))
		}
		if next == "" {
			return
		}
		cursor = next
	}
}

// run executes one job.
func (a *App) run(ctx context.Context, id string) {
	var j purge.Job
	if err := a.ns.GetJSON(ctx, "purge:job:"+id, &j); err != nil { // EXPECT kvlist
		a.log.Warn("load job", zap.String("job", id), zap.Error(err))
		return
	}
	progressKey := "purge:progress:" + j.ID
	done := 0
	var runErr error
	for batch := range slices.Chunk(j.URLs, a.BatchSize) {
		_, err := a.cf.Cache.Purge(ctx, cache.CachePurgeParams{
			ZoneID: cloudflare.F(j.Zone),
			Body:   cache.CachePurgeParamsBodyCachePurgeSingleFile{Files: cloudflare.F(batch)},
		})
		if err != nil {
			runErr = fmt.Errorf("purge batch at %d: %w", done, err)
			break
		}
		done += len(batch)
		status := fmt.Sprintf(`{"done":%d,"total":%d,"node":%q}`, done, len(j.URLs), a.node)
		if err := a.ns.Put(ctx, progressKey, []byte(status), time.Hour); err != nil { // EXPECT kvhotkey
			a.log.Debug("progress", zap.Error(err))
		}
	}
	if runErr == nil && len(j.Prefixes) > 0 {
		_, runErr = a.cf.Cache.Purge(ctx, cache.CachePurgeParams{
			ZoneID: cloudflare.F(j.Zone),
			Body:   cache.CachePurgeParamsBodyCachePurgeFlexPurgeByPrefixes{Prefixes: cloudflare.F(j.Prefixes)},
		})
	}
	if err := a.queue.Finish(ctx, j.ID, runErr); err != nil {
		a.log.Warn("finish job", zap.String("job", j.ID), zap.Error(err))
	}
	_ = a.ns.Put(ctx, "purge:last-run:"+j.Zone, []byte(time.Now().UTC().Format(time.RFC3339)), 30*time.Second) // EXPECT kvttl
	a.mu.Lock()
	a.tally[j.Zone]++
	a.mu.Unlock()
}

// Interface guards
var (
	_ caddy.App         = (*App)(nil)
	_ caddy.Provisioner = (*App)(nil)
)
