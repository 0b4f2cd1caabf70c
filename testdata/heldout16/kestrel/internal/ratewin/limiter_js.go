//go:build js && wasm

// Package ratewin enforces per-API-key request windows and tallies usage
// for billing.
package ratewin

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Decision is the outcome of one Allow call.
type Decision struct {
	Allowed   bool
	Remaining int
	Reset     time.Time
}

// Limiter decides whether an API key may make another request.
type Limiter interface {
	Allow(apiKeyID string, now time.Time) (Decision, error)
}

// New picks the strategy named in configuration.
func New(ns *kv.Namespace, strategy string, limit int, window time.Duration) (Limiter, error) {
	w := windows{ns: ns}
	switch strategy {
	case "fixed":
		return fixed{w: w, limit: limit, window: window}, nil
	case "sliding":
		return sliding{w: w, limit: limit, window: window}, nil
	}
	return nil, fmt.Errorf("ratewin: unknown strategy %q", strategy)
}

// windows is the thin layer over the edge namespace shared by strategies.
type windows struct{ ns *kv.Namespace }

func (w windows) raw(key string) (string, error) { return w.ns.GetString(key, nil) }

func (w windows) load(key string) (string, bool, error) {
	v, err := w.ns.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == "<null>" {
		return "", false, nil
	}
	return v, true, nil
}

func (w windows) save(key, value string, ttl time.Duration) error {
	return w.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// override returns a per-key limit set by support. Overrides change rarely,
// so they are cached at the edge for five minutes.
func (w windows) override(id string, def int) int {
	v, err := w.ns.GetString("rl-override/"+id, &kv.GetOptions{CacheTTL: 300})
	if err != nil || v == "<null>" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return def
	}
	return n
}

// noteDeny records the most recent rejection for the status page.
func (w windows) noteDeny(id string, now time.Time) {
	_ = w.save("status/last-deny", id+" "+now.UTC().Format(time.RFC3339), time.Hour) // EXPECT kvhotkey
}

// fixed counts requests in aligned windows.
type fixed struct {
	w      windows
	limit  int
	window time.Duration
}

func (f fixed) Allow(id string, now time.Time) (Decision, error) {
	start := now.Truncate(f.window)
	key := fmt.Sprintf("rl/%s/%d", id, start.Unix())
	limit := f.w.override(id, f.limit)

	n := 0
	v, ok, err := f.w.load(key)
	if err != nil {
		return Decision{}, err
	}
	if ok {
		if n, err = strconv.Atoi(v); err != nil {
			return Decision{}, fmt.Errorf("ratewin: %s: %w", key, err)
		}
	}
	reset := start.Add(f.window)
	if n >= limit {
		f.w.noteDeny(id, now)
		return Decision{Reset: reset}, nil
	}
	ttl := max(2*f.window, 10*time.Second)                        // EXPECT kvttl
	if err := f.w.save(key, strconv.Itoa(n+1), ttl); err != nil { // EXPECT kvcounter
		return Decision{}, err
	}
	return Decision{Allowed: true, Remaining: limit - n - 1, Reset: reset}, nil
}

// sliding weights the previous window by how much of it still overlaps.
type sliding struct {
	w      windows
	limit  int
	window time.Duration
}

type windowState struct {
	Count int   `json:"count"`
	Start int64 `json:"start"`
}

func (s sliding) Allow(id string, now time.Time) (Decision, error) {
	cur := now.Truncate(s.window)
	prevKey := fmt.Sprintf("rls/%s/%d", id, cur.Add(-s.window).Unix())
	curKey := fmt.Sprintf("rls/%s/%d", id, cur.Unix())
	limit := s.w.override(id, s.limit)

	var prev, this windowState
	if v, ok, err := s.w.load(prevKey); err != nil {
		return Decision{}, err
	} else if ok {
		if err := json.Unmarshal([]byte(v), &prev); err != nil {
			return Decision{}, err
		}
	}
	raw, err := s.w.raw(curKey) // EXPECT kvnull
	if err != nil {
		return Decision{}, err
	}
	if err := json.Unmarshal([]byte(raw), &this); err != nil {
		return Decision{}, fmt.Errorf("ratewin: %s: %w", curKey, err)
	}

	overlap := 1 - float64(now.Sub(cur))/float64(s.window)
	estimate := int(float64(prev.Count)*overlap) + this.Count
	if estimate >= limit {
		s.w.noteDeny(id, now)
		return Decision{Reset: cur.Add(s.window)}, nil
	}
	this.Count++
	this.Start = cur.Unix()
	body, err := json.Marshal(this)
	if err != nil {
		return Decision{}, err
	}
	if err := s.w.save(curKey, string(body), 2*s.window); err != nil { // EXPECT kvcounter
		return Decision{}, err
	}
	return Decision{Allowed: true, Remaining: limit - estimate - 1, Reset: cur.Add(s.window)}, nil
}
