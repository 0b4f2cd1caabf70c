// Package kvcounter holds kvcounter's cases on github.com/syumai/workers.
package kvcounter

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvstore"
)

// The canonical mistake: a rate limit by client IP kept in KV.
func rateLimit(w http.ResponseWriter, r *http.Request) bool {
	ns, _ := kv.NewNamespace("RATE_LIMITS")
	key := "rate:" + r.Header.Get("CF-Connecting-IP")
	v, err := ns.GetString(key, nil)
	if err != nil {
		return false
	}
	n, _ := strconv.Atoi(v)
	if n >= 100 {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return true
	}
	ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 60}) // want `counter kept in KV: this put writes back a count read from the same key and incremented`
	return false
}

// A page-view counter, with the key built by fmt.Sprintf twice.
func countView(ns *kv.Namespace, slug string) error {
	v, _ := ns.GetString(fmt.Sprintf("views:%s", slug), nil)
	n, _ := strconv.ParseInt(v, 10, 64)
	n++
	return ns.PutString(fmt.Sprintf("views:%s", slug), strconv.FormatInt(n, 10), nil) // want `counter kept in KV`
}

type window struct {
	Count int   `json:"count"`
	Reset int64 `json:"reset"`
}

// A quota in a JSON document: decode, increment a field, encode.
func spendQuota(ns *kv.Namespace, user string) error {
	key := "quota:" + user
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var q window
	_ = json.Unmarshal([]byte(raw), &q)
	q.Count++
	data, _ := json.Marshal(q)
	return ns.PutString(key, string(data), nil) // want `counter kept in KV: this put writes back a count`
}

type visits struct {
	ns *kv.Namespace
	n  int
}

// A count held in memory and flushed to a key named for it: each isolate
// has its own count, and the last write wins.
func (v *visits) hit() error {
	v.n++
	return v.ns.PutString("stats:visits", strconv.Itoa(v.n), nil) // want `counter kept in KV: the key names a count`
}

// Quiet: a count-like key holding configuration, no arithmetic.
func saveLimits(ns *kv.Namespace, cfg []byte) error {
	return ns.PutString("ratelimit:config", string(cfg), nil)
}

// Quiet: arithmetic on time for a key that names no count.
func touch(ns *kv.Namespace, id string) error {
	return ns.PutString("expires:"+id, strconv.FormatInt(time.Now().Unix()+3600, 10), nil)
}

// Quiet: a value read from KV used for another key, with no count in its name.
func copyPlusOne(ns *kv.Namespace, id string) error {
	v, _ := ns.GetString("version:"+id, nil)
	n, _ := strconv.Atoi(v)
	return ns.PutString("next-build:"+id, strconv.Itoa(n+1), nil)
}

// Quiet: a rate-limit key holding a time, not a count.
func blockUntil(ns *kv.Namespace, ip string) error {
	return ns.PutString("ratelimit:blocked:"+ip, strconv.FormatInt(time.Now().Unix()+300, 10), &kv.PutOptions{ExpirationTTL: 300})
}

// Quiet: "account" is no count, though it ends in one.
func nextPlan(ns *kv.Namespace, id string, plan int) error {
	return ns.PutString("account:"+id+":plan", strconv.Itoa(plan+1), nil)
}

// A camel-case key naming page views, counted in memory.
func (v *visits) flushPageViews(slug string, n int) error {
	return v.ns.PutString("pageViews:"+slug, strconv.Itoa(n+v.n), nil) // want `counter kept in KV: the key names a count`
}

// Counts kept per isolate in a map and in an atomic, flushed to KV.
var pageHits = map[string]int{}

var apiCalls int64

func flushHits(ns *kv.Namespace, slug string) error {
	pageHits[slug]++
	n := pageHits[slug]
	return ns.PutString("hits:"+slug, strconv.Itoa(n), nil) // want `counter kept in KV: the key names a count`
}

func countCall(ns *kv.Namespace) error {
	total := atomic.AddInt64(&apiCalls, 1)
	return ns.PutString("usage:api", strconv.FormatInt(total, 10), nil) // want `counter kept in KV: the key names a count`
}

// Quiet: a total computed now from the database, written by one job.
func snapshotSignups(ns *kv.Namespace, web, mobile int) error {
	total := web + mobile
	return ns.PutString("stats:signups-count", strconv.Itoa(total), nil)
}

// A wrapper that reads, adds and writes by itself is reported inside; its
// callers are not reported again.
type verifier struct{ store *kvstore.Store }

func (v *verifier) tooManyTries(email string) (bool, error) {
	tries, err := v.store.Add("verify-tries:"+email, 1)
	return tries > 5, err
}

// A count kept in a map field, incremented, read back and published under
// a key that names it.
type meter struct {
	mu    sync.Mutex
	views map[string]int
	ns    *kv.Namespace
}

func (m *meter) countView(tenant string) error {
	m.mu.Lock()
	m.views[tenant]++
	n := m.views[tenant]
	m.mu.Unlock()
	return m.ns.PutString("status-views:"+tenant, strconv.Itoa(n), nil) // want `counter kept in KV: the key names a count`
}

// Counts kept in memory, added to by one method and published by another;
// beside limits from configuration published under a key that names them.
type pageViews struct {
	mu     sync.Mutex
	pages  map[string]int64
	limits map[string]int
	ns     *kv.Namespace
}

func (v *pageViews) hit(page string) {
	v.mu.Lock()
	v.pages[page]++
	v.mu.Unlock()
}

func (v *pageViews) publish() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for page, n := range v.pages {
		_ = v.ns.PutString("views:"+page, strconv.FormatInt(n, 10), nil) // want `counter kept in KV: the key names a count`
	}
	for tier, limit := range v.limits {
		_ = v.ns.PutString("ratelimit:"+tier, strconv.Itoa(limit), nil)
	}
}
