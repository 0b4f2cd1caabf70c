// Package admin holds maintenance operations run from orchard-admin: key
// counts, exports, and migrations between key layouts.
package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/kvstore"
)

type Maintainer struct {
	store      kvstore.Store
	cf         *cloudflare.Client
	accountID  string
	ns         string
	pageBudget int
	pageSize   int
}

func New(store kvstore.Store, cf *cloudflare.Client, cfg *config.Config, namespaceID string) *Maintainer {
	return &Maintainer{store: store, cf: cf, accountID: cfg.AccountID, ns: namespaceID,
		pageBudget: cfg.Admin.PageBudget, pageSize: cfg.Admin.PageSize}
}

var ErrBudget = errors.New("admin: page budget exhausted")

// Walk calls fn for each key under prefix, reading at most the configured
// number of pages.
func (m *Maintainer) Walk(ctx context.Context, prefix string, fn func(kvstore.KeyInfo) error) error {
	q := kvstore.ListQuery{Prefix: prefix, Limit: m.pageSize}
	for page := 0; page < m.pageBudget; page++ {
		p, err := m.store.List(ctx, q)
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if p.Complete {
			return nil
		}
		q.Cursor = p.Cursor
	}
	return ErrBudget
}

// WalkAll is Walk without a page budget, for offline jobs that must see
// every key.
func (m *Maintainer) WalkAll(ctx context.Context, prefix string, fn func(kvstore.KeyInfo) error) error {
	q := kvstore.ListQuery{Prefix: prefix, Limit: m.pageSize}
	for {
		p, err := m.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if p.Complete {
			return nil
		}
		q.Cursor = p.Cursor
	}
}

// Count returns the number of keys under prefix.
func (m *Maintainer) Count(ctx context.Context, prefix string) (int, error) {
	pager := m.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, m.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(m.accountID),
		Prefix:    cloudflare.F(prefix),
	})
	n := 0
	for pager.Next() {
		n++
	}
	return n, pager.Err()
}

// Sample returns up to n key names under prefix.
func (m *Maintainer) Sample(ctx context.Context, prefix string, n int) ([]string, error) {
	pager := m.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, m.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.accountID),
		Prefix:    cloudflare.F(prefix),
	})
	var out []string
	for len(out) < n && pager.Next() {
		out = append(out, pager.Current().Name)
	}
	return out, pager.Err()
}

// ExportPage is one page of an export, resumable with Cursor.
type ExportPage struct {
	Keys   []string `json:"keys"`
	Cursor string   `json:"cursor,omitempty"`
}

// Export returns one page of key names for the backup tool.
func (m *Maintainer) Export(ctx context.Context, prefix, cursor string) (*ExportPage, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := m.cf.KV.Namespaces.Keys.List(ctx, m.ns, params)
	if err != nil {
		return nil, err
	}
	out := &ExportPage{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		out.Keys = append(out.Keys, k.Name)
	}
	return out, nil
}

// Rule renames keys from one prefix to another.
type Rule struct{ From, To string }

type MigrationStats struct{ Moved, Skipped int }

// Migrate copies every key matching a rule to its new name, keeping
// metadata and expiry, and deletes the old key.
func (m *Maintainer) Migrate(ctx context.Context, rules []Rule) (st MigrationStats, err error) {
	for _, r := range rules {
		err = m.Walk(ctx, r.From, func(k kvstore.KeyInfo) error {
			if k.Expiration > 0 && k.Expiration < time.Now().Add(2*time.Minute).Unix() {
				st.Skipped++ // about to expire; not worth copying
				return nil
			}
			v, err := m.store.Get(ctx, k.Name) // DEBATABLE kvlist
			if kvstore.IsNotFound(err) {
				st.Skipped++
				return nil
			}
			if err != nil {
				return err
			}
			to := r.To + strings.TrimPrefix(k.Name, r.From)
			if err := m.store.Put(ctx, to, v, kvstore.PutOptions{ExpiresAt: k.Expiration, Metadata: k.Metadata}); err != nil {
				return fmt.Errorf("copy %s: %w", k.Name, err)
			}
			st.Moved++
			return m.store.Delete(ctx, k.Name)
		})
		if err != nil {
			return st, fmt.Errorf("admin: rule %s -> %s: %w", r.From, r.To, err)
		}
	}
	return st, nil
}
