// Package daemon keeps the edge namespaces in step with the upstream flag
// repository: a poller per environment detects changes, a worker pool
// writes them, and a flusher persists evaluation usage.
package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// Snapshot is the upstream state of one environment.
type Snapshot struct {
	ETag  string       `json:"etag"`
	Flags []flags.Flag `json:"flags"`
}

// Fetcher loads the upstream snapshot of env; ok is false when it has not
// changed since etag.
type Fetcher func(ctx context.Context, env, etag string) (snap Snapshot, ok bool, err error)

// HTTPFetcher reads snapshots from the upstream JSON endpoint with
// conditional GETs.
func HTTPFetcher(base string, client *http.Client) Fetcher {
	return func(ctx context.Context, env, etag string) (Snapshot, bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/envs/"+env+"/flags.json", nil)
		if err != nil {
			return Snapshot{}, false, err
		}
		req.Header.Set("If-None-Match", etag)
		res, err := client.Do(req)
		if err != nil {
			return Snapshot{}, false, err
		}
		defer res.Body.Close()
		if res.StatusCode == http.StatusNotModified {
			return Snapshot{}, false, nil
		}
		if res.StatusCode != http.StatusOK {
			return Snapshot{}, false, fmt.Errorf("daemon: upstream %s: %s", env, res.Status)
		}
		s := Snapshot{ETag: res.Header.Get("ETag")}
		return s, true, json.NewDecoder(res.Body).Decode(&s.Flags)
	}
}

// Poller watches one environment upstream and queues changes.
type Poller struct {
	Env      string
	Fetch    Fetcher
	Store    storage.Store
	Jobs     chan<- Job
	Interval time.Duration
	MaxPages int
	Log      *slog.Logger
	Kick     <-chan struct{} // webhook deliveries: poll now

	etag string
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		if err := p.tick(ctx); err != nil {
			p.Log.Warn("poll failed", "env", p.Env, "err", err)
		}
		p.beat(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-p.Kick:
		}
	}
}

// beat records that the poller is alive, for the console status page.
func (p *Poller) beat(ctx context.Context) {
	b, _ := json.Marshal(map[string]any{"etag": p.etag, "at": time.Now().UTC()})
	key := kvkey.Key("daemon").Child("heartbeat", p.Env).String()
	if err := p.Store.Put(ctx, key, b, storage.WithTTL(10*time.Minute)); err != nil { // DEBATABLE kvhotkey
		p.Log.Debug("heartbeat failed", "err", err)
	}
}

func (p *Poller) tick(ctx context.Context) error {
	snap, changed, err := p.Fetch(ctx, p.Env, p.etag)
	if err != nil || !changed {
		return err
	}
	// Keep the raw snapshot for the console's "upstream" view.
	if raw, err := json.Marshal(snap); err == nil {
		key := kvkey.Key("upstream").Child(p.Env, strings.Trim(snap.ETag, `"W/`)).String()
		_ = p.Store.Put(ctx, key, raw,
			storage.WithTTL(max(2*p.Interval, 10*time.Second))) // EXPECT kvttl
	}
	want := map[string]bool{}
	var jobs []Job
	for _, f := range snap.Flags {
		want[f.Key] = true
		jobs = append(jobs, Job{Env: p.Env, Flag: f})
	}
	have, err := p.existing(ctx)
	if err != nil {
		return err
	}
	for _, name := range have {
		if !want[name] {
			jobs = append(jobs, Job{Env: p.Env, Delete: true, Name: name})
		}
	}
	for _, j := range jobs {
		select {
		case p.Jobs <- j:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.etag = snap.ETag
	return nil
}

// existing lists the flag names currently at the edge.
func (p *Poller) existing(ctx context.Context) ([]string, error) {
	prefix := kvkey.Flags.Child(p.Env).Prefix()
	page, err := p.Store.List(ctx, prefix, "")
	var names []string
	for pages := 1; err == nil; pages++ {
		for _, e := range page.Entries {
			if strings.HasPrefix(e.Name, prefix) {
				names = append(names, strings.TrimPrefix(e.Name, prefix))
			}
		}
		if page.Complete || pages >= p.MaxPages {
			return names, nil
		}
		page, err = p.Store.List(ctx, "", page.Cursor) // EXPECT kvlist
	}
	return nil, err
}
