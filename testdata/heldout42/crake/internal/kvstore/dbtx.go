//go:build js && wasm

package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/crake-mobility/crake/internal/dbgen"
)

// Adapter lets dbgen.Queries run against KV bindings. The namespace name a
// query passes is the wrangler binding name.
type Adapter struct {
	stores map[string]*Store
}

var _ dbgen.DBTX = (*Adapter)(nil)

// NewAdapter serves the given stores by their binding names.
func NewAdapter(stores ...*Store) *Adapter {
	a := &Adapter{stores: make(map[string]*Store, len(stores))}
	for _, s := range stores {
		a.stores[s.binding] = s
	}
	return a
}

func (a *Adapter) store(ns string) (*Store, error) {
	s, ok := a.stores[ns]
	if !ok {
		return nil, fmt.Errorf("kvstore: namespace %q is not bound", ns)
	}
	return s, nil
}

// GetValue implements dbgen.DBTX.
func (a *Adapter) GetValue(ctx context.Context, ns, key string) ([]byte, bool, error) {
	s, err := a.store(ns)
	if err != nil {
		return nil, false, err
	}
	v, ok, err := s.Get(ctx, key)
	if err != nil || !ok {
		return nil, false, err
	}
	return []byte(v), true, nil
}

// PutValue implements dbgen.DBTX. KV refuses lifetimes under a minute, so
// shorter ones are rounded up.
func (a *Adapter) PutValue(ctx context.Context, ns, key string, val []byte, ttl time.Duration) error {
	s, err := a.store(ns)
	if err != nil {
		return err
	}
	if ttl > 0 && ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutString(ctx, key, string(val), ttl)
}

// DeleteValue implements dbgen.DBTX.
func (a *Adapter) DeleteValue(ctx context.Context, ns, key string) error {
	s, err := a.store(ns)
	if err != nil {
		return err
	}
	return s.Delete(ctx, key)
}

// ListKeys implements dbgen.DBTX.
func (a *Adapter) ListKeys(ctx context.Context, ns, prefix, cursor string, limit int) (dbgen.KeyPage, error) {
	s, err := a.store(ns)
	if err != nil {
		return dbgen.KeyPage{}, err
	}
	res, err := s.List(ctx, &kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return dbgen.KeyPage{}, err
	}
	page := dbgen.KeyPage{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}
