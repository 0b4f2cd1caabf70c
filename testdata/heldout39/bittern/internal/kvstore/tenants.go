package kvstore

import (
	"context"
	"sync"

	"github.com/cloudflare/cloudflare-go"
)

// Tenants gives every tenant with a dedicated namespace its own Store;
// the others share the fallback namespace (their keys carry the tenant ID).
type Tenants struct {
	api      *cloudflare.API
	account  string
	byTenant map[string]string
	fallback *Store

	mu     sync.Mutex
	stores map[string]*Store
}

// NewTenants returns a router for the given tenant → namespace map.
func NewTenants(api *cloudflare.API, account string, byTenant map[string]string, fallbackNS string) *Tenants {
	return &Tenants{api: api, account: account, byTenant: byTenant, fallback: New(api, account, fallbackNS), stores: make(map[string]*Store)}
}

// For returns the namespace that holds tenant's data.
func (t *Tenants) For(tenant string) Namespace {
	id, ok := t.byTenant[tenant]
	if !ok {
		return t.fallback
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.stores[id]
	if !ok {
		st = New(t.api, t.account, id)
		t.stores[id] = st
	}
	return st
}

// Pager returns a function that fetches the next page of keys under prefix
// on every call. Once the listing is exhausted it returns nil keys and a
// nil error.
func Pager(ctx context.Context, l Lister, prefix string, limit int) func() ([]Key, error) {
	cursor := ""
	done := false
	return func() ([]Key, error) {
		if done {
			return nil, nil
		}
		page, err := l.ListPage(ctx, Query{Prefix: prefix, Cursor: cursor, Limit: limit})
		if err != nil {
			return nil, err
		}
		cursor = page.Cursor
		done = page.Cursor == ""
		if page.Keys == nil {
			page.Keys = []Key{}
		}
		return page.Keys, nil
	}
}
