// Package kvx has small helpers for code that talks to a KV binding directly
// instead of going through store.Store.
package kvx

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Text reads a key as text.
func Text(ns *kv.Namespace, key string) (string, error) {
	return ns.GetString(key, nil)
}

// Write is a small builder for puts:
//
//	kvx.On(ns).Key(k).TTL(time.Hour).Put(v)
type Write struct {
	ns  *kv.Namespace
	key string
	ttl time.Duration
	at  time.Time
}

func On(ns *kv.Namespace) *Write { return &Write{ns: ns} }

func (w *Write) Key(k string) *Write { w.key = k; return w }

func (w *Write) TTL(d time.Duration) *Write { w.ttl = d; return w }

func (w *Write) Until(t time.Time) *Write { w.at = t; return w }

func (w *Write) Put(value string) error {
	var opts *kv.PutOptions
	switch {
	case w.ttl > 0:
		opts = &kv.PutOptions{ExpirationTTL: int(w.ttl.Seconds())}
	case !w.at.IsZero():
		opts = &kv.PutOptions{Expiration: int(w.at.Unix())}
	}
	return w.ns.PutString(w.key, value, opts)
}
