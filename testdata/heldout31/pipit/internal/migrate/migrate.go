// Package migrate rewrites stored values when their shape changes.
package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/pipit/internal/store"
)

// Migration transforms every value under Prefix.
type Migration struct {
	Version   int
	Name      string
	Prefix    string
	MaxKeys   int // stop after this many keys; zero walks the whole prefix
	Transform func(key string, old []byte) ([]byte, error)
}

// Runner applies migrations that have not run yet.
type Runner struct {
	kv  store.KV
	log *slog.Logger
}

// NewRunner returns a runner.
func NewRunner(kv store.KV, log *slog.Logger) *Runner { return &Runner{kv: kv, log: log} }

func appliedKey(v int) string { return "schema:applied:" + strconv.Itoa(v) }

// Run applies each pending migration in version order and records it.
func (r *Runner) Run(ctx context.Context, ms []Migration) error {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	keys := make([]string, len(ms))
	for i, m := range ms {
		keys[i] = appliedKey(m.Version)
	}
	done, err := r.kv.GetMany(ctx, keys)
	if err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}
	for _, m := range ms {
		if _, ok := done[appliedKey(m.Version)]; ok {
			continue
		}
		start := time.Now()
		n, err := r.apply(ctx, m)
		if err != nil {
			return fmt.Errorf("migration %d %s after %d keys: %w", m.Version, m.Name, n, err)
		}
		r.log.InfoContext(ctx, "migration applied", "version", m.Version, "name", m.Name, "keys", n, "took", time.Since(start))
		if err := r.kv.Put(ctx, appliedKey(m.Version), []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) apply(ctx context.Context, m Migration) (int, error) {
	if m.MaxKeys > 0 {
		return r.applyBounded(ctx, m)
	}
	q, n := store.Query{Prefix: m.Prefix, Limit: 100}, 0
	for {
		page, err := r.kv.Find(ctx, q) // EXPECT kvlist
		if err == nil {
			err = r.rewrite(ctx, m, page.Entries)
		}
		if err != nil || page.Done() {
			return n + len(page.Entries), err
		}
		n += len(page.Entries)
		q.After = page.Next
	}
}

func (r *Runner) applyBounded(ctx context.Context, m Migration) (int, error) {
	q, n := store.Query{Prefix: m.Prefix, Limit: 100}, 0
	for n < m.MaxKeys {
		page, err := r.kv.Find(ctx, q)
		if err == nil {
			err = r.rewrite(ctx, m, page.Entries)
		}
		if err != nil || page.Done() {
			return n + len(page.Entries), err
		}
		n += len(page.Entries)
		q.After = page.Next
	}
	r.log.WarnContext(ctx, "migration stopped at its key budget", "version", m.Version, "next", q.After)
	return n, nil
}

// rewrite transforms one page of keys, read in a single bulk call.
func (r *Runner) rewrite(ctx context.Context, m Migration, entries []store.Entry) error {
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	vals, err := r.kv.GetMany(ctx, keys)
	if err != nil {
		return err
	}
	for _, e := range entries {
		old, ok := vals[e.Key]
		if !ok {
			continue
		}
		next, err := m.Transform(e.Key, old)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Key, err)
		}
		if bytes.Equal(next, old) {
			continue
		}
		var opts []store.PutOption
		if !e.Expiration.IsZero() {
			if time.Until(e.Expiration) < time.Minute {
				continue // about to expire; not worth keeping
			}
			opts = append(opts, store.WithExpiry(e.Expiration))
		}
		if err := r.kv.Put(ctx, e.Key, next, opts...); err != nil { // DEBATABLE kvrace
			return fmt.Errorf("%s: %w", e.Key, err)
		}
	}
	return nil
}

// editDoc returns a transform that edits each value as a JSON object.
func editDoc(edit func(doc map[string]any)) func(string, []byte) ([]byte, error) {
	return func(_ string, old []byte) ([]byte, error) {
		var doc map[string]any
		if err := json.Unmarshal(old, &doc); err != nil {
			return nil, err
		}
		edit(doc)
		return json.Marshal(doc)
	}
}

// All is the ordered list of migrations the service knows.
var All = []Migration{
	{Version: 1, Name: "prefs: hk -> housekeeping", Prefix: "prefs:", Transform: editDoc(func(d map[string]any) {
		if v, ok := d["hk"]; ok {
			d["housekeeping"] = v
			delete(d, "hk")
		}
	})},
	{Version: 2, Name: "rate plans: upper-case currency", Prefix: "rateplan:", MaxKeys: 50_000, Transform: editDoc(func(d map[string]any) {
		if c, ok := d["currency"].(string); ok {
			d["currency"] = strings.ToUpper(c)
		}
	})},
}
