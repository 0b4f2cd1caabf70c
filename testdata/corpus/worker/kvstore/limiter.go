package kvstore

import (
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// Limiter allows at most Max events per key per window.
type Limiter struct {
	ns        *kv.Namespace
	prefix    string
	Max       int
	WindowSec int
}

// NewLimiter creates a limiter storing its state under prefix.
func NewLimiter(ns *kv.Namespace, prefix string, max, windowSec int) *Limiter {
	return &Limiter{ns: ns, prefix: prefix, Max: max, WindowSec: windowSec}
}

// Allow records one event for id and reports whether it is within the limit.
func (l *Limiter) Allow(id string) (bool, error) {
	key := l.prefix + id
	cur, err := l.ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	used := 0
	if cur != "<null>" {
		used, _ = strconv.Atoi(cur)
	}
	if used >= l.Max {
		return false, nil
	}
	used++
	err = l.ns.PutString(key, strconv.Itoa(used), &kv.PutOptions{ExpirationTTL: l.WindowSec}) // EXPECT kvcounter
	return err == nil, err
}
