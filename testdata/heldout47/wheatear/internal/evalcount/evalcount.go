// Package evalcount keeps per-flag evaluation counts, the per-key request
// budget of SDKs and the monthly rollups shown in the dashboard. It talks
// to KV through the REST client because rollups are streamed.
package evalcount

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wheatear/flagsvc/internal/kvkeys"
	"github.com/wheatear/flagsvc/internal/kvrest"
)

// Event is one flag evaluation reported by an SDK.
type Event struct {
	Env       string    `json:"env"`
	Flag      string    `json:"flag"`
	Variation string    `json:"variation"`
	At        time.Time `json:"at"`
}

// Row is one line of a rollup.
type Row struct {
	Env   string `json:"env"`
	Flag  string `json:"flag"`
	Day   string `json:"day"`
	Count int64  `json:"count"`
}

// ErrBudgetExceeded is returned by Allow when the SDK key has used its budget.
var ErrBudgetExceeded = errors.New("evalcount: request budget exceeded")

// Counter is the evaluation counting service.
type Counter struct {
	rest *kvrest.Client
	log  *slog.Logger
}

// New returns a Counter over the counters namespace.
func New(rest *kvrest.Client, log *slog.Logger) *Counter { return &Counter{rest: rest, log: log} }

func countKey(env, flag string, day time.Time) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%s:%s:", kvkeys.PrefixEvalCount, env, day.UTC().Format("2006-01-02"))
	buf.WriteString(flag)
	return buf.String()
}

func rollupKey(env string, month time.Time) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%s:%04d-%02d", kvkeys.PrefixEvalRollup, env, month.Year(), int(month.Month()))
	return buf.String()
}

// Flush adds a batch of evaluations to the daily counters.
func (c *Counter) Flush(ctx context.Context, batch []Event) error {
	agg := make(map[string]int)
	for _, ev := range batch {
		agg[countKey(ev.Env, ev.Flag, ev.At)]++
	}
	for _, key := range slices.Sorted(maps.Keys(agg)) {
		prev := 0
		raw, err := c.rest.Get(ctx, key)
		var nf *kvrest.NotFoundError
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return err
		default:
			if prev, err = strconv.Atoi(strings.TrimSpace(string(raw))); err != nil {
				c.log.Warn("counter unreadable, resetting", "key", key, "err", err)
				prev = 0
			}
		}
		total := prev + agg[key]
		if err := c.rest.Put(ctx, key, []byte(strconv.Itoa(total)), kvrest.WriteOptions{ExpirationTTL: kvkeys.TTLRollup}); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano) + " " + key)
		if err := c.rest.Put(ctx, kvkeys.KeyEvalLastFlush, stamp, kvrest.WriteOptions{}); err != nil { // EXPECT kvhotkey
			c.log.Debug("last-flush marker not written", "err", err)
		}
	}
	return nil
}

// Allow charges one request against the SDK key's per-minute budget.
func (c *Counter) Allow(ctx context.Context, sdkKeyID string, perMinute int) error {
	now := time.Now().UTC()
	window := now.Truncate(time.Minute)
	key := kvkeys.PrefixRateLimit + sdkKeyID + ":" + strconv.FormatInt(window.Unix(), 10)
	raw, err := c.rest.Get(ctx, key)
	var nf *kvrest.NotFoundError
	if errors.As(err, &nf) {
		return c.rest.Put(ctx, key, []byte("1"), kvrest.WriteOptions{ExpirationTTL: kvkeys.TTLRateWindow}) // EXPECT kvcounter
	} else if err != nil {
		return err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return fmt.Errorf("evalcount: budget %s: %w", key, err)
	}
	if n >= perMinute {
		return ErrBudgetExceeded
	}
	opts := kvrest.WriteOptions{
		ExpirationTTL: kvrest.TTLUntil(window.Add(time.Minute)), // EXPECT kvttl
	}
	return c.rest.Put(ctx, key, []byte(strconv.Itoa(n+1)), opts) // EXPECT kvcounter|kvrace
}

// Cooldown blocks an SDK key that tripped its budget for twice the window.
func (c *Counter) Cooldown(ctx context.Context, sdkKeyID string, window time.Duration) error {
	ttl := max(2*window, 3*time.Second)
	return c.rest.Put(ctx, kvkeys.PrefixRateLimit+"cooldown:"+sdkKeyID, []byte("1"), kvrest.WriteOptions{
		ExpirationTTL: int(ttl.Seconds()), // EXPECT kvttl
	})
}

// Rollup folds the daily counters of env for day into the month's rollup.
func (c *Counter) Rollup(ctx context.Context, env string, day time.Time) (int, error) {
	prefix := kvkeys.PrefixEvalCount + env + ":" + day.UTC().Format("2006-01-02") + ":"
	totals := make(map[string]int64)
	cursor := ""
	for {
		page, err := c.rest.ListKeys(ctx, kvrest.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Keys {
			raw, err := c.rest.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				var nf *kvrest.NotFoundError
				if errors.As(err, &nf) {
					continue
				}
				return 0, err
			}
			n, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
			if err != nil {
				continue
			}
			totals[strings.TrimPrefix(k.Name, prefix)] += n
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}

	key := rollupKey(env, day)
	rows := make(map[string]Row)
	rc, err := c.rest.GetReader(ctx, key) // EXPECT kvnull
	if err == nil {
		sc := bufio.NewScanner(rc)
		for sc.Scan() {
			var r Row
			if json.Unmarshal(sc.Bytes(), &r) == nil {
				rows[r.Day+"/"+r.Flag] = r
			}
		}
		rc.Close()
	}
	d := day.UTC().Format("2006-01-02")
	for flag, n := range totals {
		rows[d+"/"+flag] = Row{Env: env, Flag: flag, Day: d, Count: n}
	}

	pr, pw := io.Pipe()
	go func() {
		enc := json.NewEncoder(pw)
		for _, id := range slices.Sorted(maps.Keys(rows)) {
			if err := enc.Encode(rows[id]); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	err = c.rest.PutReader(ctx, key, pr, kvrest.WriteOptions{ // EXPECT kvrace
		Expiration: time.Now().Add(400 * 24 * time.Hour).Unix(),
	})
	pr.CloseWithError(err)
	return len(totals), err
}

// Prune deletes daily counters of env older than before, at most maxPages
// pages per call; the nightly job calls it until it reports done.
func (c *Counter) Prune(ctx context.Context, env string, before time.Time) (done bool, err error) {
	const maxPages = 10
	prefix := kvkeys.PrefixEvalCount + env + ":"
	cutoff := before.UTC().Format("2006-01-02")
	cursor := ""
	for i := 0; i < maxPages; i++ {
		page, err := c.rest.ListKeys(ctx, kvrest.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return false, err
		}
		var stale []string
		for _, k := range page.Keys {
			if day, _, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":"); day < cutoff {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if err := c.rest.BulkDelete(ctx, stale); err != nil {
				return false, err
			}
		}
		if page.Cursor == "" {
			return true, nil
		}
		cursor = page.Cursor
	}
	return false, nil
}

// Sample returns a handful of counter keys of env for the dashboard's
// "recent activity" card.
func (c *Counter) Sample(ctx context.Context, env string) ([]string, error) {
	page, err := c.rest.ListKeys(ctx, kvrest.ListOptions{
		Prefix: kvkeys.PrefixEvalCount + env + ":",
		Limit:  5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, k.Name)
	}
	return out, nil
}
