//go:build js && wasm

// Package edgekv is the kvstore backend used inside the Worker. The DSN
// names the binding: "kv://ANALYTICS". An optional "cacheTtl" query
// parameter sets the edge cache time of reads in seconds.
package edgekv

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/garganey/internal/kvstore"
)

// missing is how syscall/js renders the null that KV returns for a key
// that does not exist.
const missing = "<null>"

// Store wraps one KV binding.
type Store struct {
	ns       *kv.Namespace
	cacheTTL int
}

// Open is the kvstore.Constructor for the "kv" scheme inside the Worker.
func Open(u *url.URL) (kvstore.Store, error) {
	ns, err := cloudflare.NewKVNamespace(u.Host)
	if err != nil {
		return nil, fmt.Errorf("edgekv: binding %s: %w", u.Host, err)
	}
	s := &Store{ns: ns, cacheTTL: 60}
	if v := u.Query().Get("cacheTtl"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("edgekv: cacheTtl: %w", err)
		}
		s.cacheTTL = n
	}
	return s, nil
}

func (s *Store) Get(_ context.Context, key string) kvstore.Result[kvstore.Optional[[]byte]] {
	v, err := s.ns.GetString(key, &kv.GetOptions{CacheTTL: s.cacheTTL})
	if err != nil {
		return kvstore.Fail[kvstore.Optional[[]byte]](err)
	}
	if v == missing {
		return kvstore.Ok(kvstore.None[[]byte]())
	}
	return kvstore.Ok(kvstore.Some([]byte(v)))
}

func (s *Store) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.ns.PutString(key, string(value), opts)
}

func (s *Store) Delete(_ context.Context, key string) error {
	return s.ns.Delete(key)
}

func (s *Store) List(_ context.Context, prefix, cursor string, limit int) kvstore.Result[kvstore.Page] {
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return kvstore.Fail[kvstore.Page](err)
	}
	page := kvstore.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return kvstore.Ok(page)
}
