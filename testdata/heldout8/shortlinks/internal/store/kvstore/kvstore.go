// Package kvstore implements store.Store on a Workers KV binding.
package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shortlinks/internal/store"
)

// jsNull is what GetString returns for a missing key: syscall/js renders a
// JS null as "<null>".
const jsNull = "<null>"

type Option func(*KV)

// WithCacheTTL sets the cacheTtl used on every read.
func WithCacheTTL(d time.Duration) Option {
	return func(s *KV) { s.cacheTTL = int(d.Seconds()) }
}

// KV adapts a namespace binding to store.Store.
type KV struct {
	ns       *kv.Namespace
	binding  string
	cacheTTL int
}

// Open binds to the namespace declared as binding in wrangler.toml.
func Open(binding string, opts ...Option) (*KV, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	s := &KV{ns: ns, binding: binding}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Namespace exposes the raw binding for the few callers that need it.
func (s *KV) Namespace() *kv.Namespace { return s.ns }

func (s *KV) Get(_ context.Context, key string) (string, bool, error) {
	var opts *kv.GetOptions
	if s.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: s.cacheTTL}
	}
	v, err := s.ns.GetString(key, opts)
	if err != nil {
		return "", false, fmt.Errorf("kv %s get %q: %w", s.binding, key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

func (s *KV) Put(_ context.Context, key, value string, opts ...store.PutOption) error {
	o := store.Resolve(opts)
	po := &kv.PutOptions{}
	if o.TTL > 0 {
		po.ExpirationTTL = int(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		po.Expiration = int(o.ExpireAt.Unix())
	}
	if err := s.ns.PutString(key, value, po); err != nil {
		return fmt.Errorf("kv %s put %q: %w", s.binding, key, err)
	}
	return nil
}

func (s *KV) Delete(_ context.Context, key string) error {
	return s.ns.Delete(key)
}

func (s *KV) List(_ context.Context, p store.ListParams) (store.Page, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: p.Prefix, Cursor: p.Cursor, Limit: p.Limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kv %s list %q: %w", s.binding, p.Prefix, err)
	}
	page := store.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	page.Keys = make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}

var _ store.Store = (*KV)(nil)
