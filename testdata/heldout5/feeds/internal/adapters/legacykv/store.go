// Package legacykv is the original KV adapter, built on cloudflare-go v0. The
// preview service and the cache purge job still run on it; everything else
// moved to cloudkv. It implements the same kv.Namespace port.
package legacykv

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/feeds/internal/kv"
)

// Store is a v0 client bound to one namespace.
type Store struct {
	api         *cloudflare.API
	rc          *cloudflare.ResourceContainer
	namespaceID string
	pageSize    int
}

// New binds api to namespaceID in accountID.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{
		api:         api,
		rc:          cloudflare.AccountIdentifier(accountID),
		namespaceID: namespaceID,
		pageSize:    1000,
	}
}

var _ kv.Namespace = (*Store)(nil)

// Get returns the stored bytes or kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.namespaceID, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, kv.ErrNotFound
		}
		return nil, fmt.Errorf("legacykv: get %q: %w", key, err)
	}
	return b, nil
}

// Put writes a single value. The single-value endpoint of the v0 client takes
// no expiry, so writes that carry one go through the bulk endpoint.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts kv.PutOptions) error {
	if opts.TTL == 0 && opts.ExpiresAt == 0 && len(opts.Metadata) == 0 {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.namespaceID,
			Key:         key,
			Value:       value,
		})
		if err != nil {
			return fmt.Errorf("legacykv: put %q: %w", key, err)
		}
		return nil
	}
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value)}
	if opts.TTL > 0 {
		pair.ExpirationTTL = int((opts.TTL + time.Second - 1) / time.Second)
	} else if opts.ExpiresAt > 0 {
		pair.Expiration = int(opts.ExpiresAt)
	}
	if len(opts.Metadata) > 0 {
		pair.Metadata = opts.Metadata
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	if err != nil {
		return fmt.Errorf("legacykv: put %q: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.namespaceID, Key: key})
	var nf *cloudflare.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("legacykv: delete %q: %w", key, err)
	}
	return nil
}

// List returns one page.
func (s *Store) List(ctx context.Context, p kv.ListParams) (kv.Page, error) {
	limit := p.Limit
	if limit <= 0 || limit > s.pageSize {
		limit = s.pageSize
	}
	res, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.namespaceID,
		Prefix:      p.Prefix,
		Cursor:      p.Cursor,
		Limit:       limit,
	})
	if err != nil {
		return kv.Page{}, fmt.Errorf("legacykv: list %q: %w", p.Prefix, err)
	}
	return toPage(res), nil
}

// ListAll returns every key under prefix. It is used by the purge job, which
// needs the full set before it starts deleting.
func (s *Store) ListAll(ctx context.Context, prefix string) ([]kv.KeyInfo, error) {
	var (
		out    []kv.KeyInfo
		cursor string
	)
	for {
		res, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: s.namespaceID,
			Prefix:      prefix,
			Cursor:      cursor,
			Limit:       s.pageSize,
		})
		if err != nil {
			return out, fmt.Errorf("legacykv: list all %q: %w", prefix, err)
		}
		page := toPage(res)
		out = append(out, page.Keys...)
		if page.Complete {
			return out, nil
		}
		cursor = page.Cursor
	}
}

// Keys pages through prefix lazily; the caller controls how far it goes.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[kv.KeyInfo, error] {
	return func(yield func(kv.KeyInfo, error) bool) {
		cursor := ""
		for {
			page, err := s.List(ctx, kv.ListParams{Prefix: prefix, Cursor: cursor}) // DEBATABLE kvlist
			if err != nil {
				yield(kv.KeyInfo{}, err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k, nil) {
					return
				}
			}
			if page.Complete {
				return
			}
			cursor = page.Cursor
		}
	}
}

// PutMany writes entries in one bulk request per 10k pairs.
func (s *Store) PutMany(ctx context.Context, entries []kv.Entry) error {
	const chunk = 10_000
	for start := 0; start < len(entries); start += chunk {
		end := min(start+chunk, len(entries))
		pairs := make([]*cloudflare.WorkersKVPair, 0, end-start)
		for _, e := range entries[start:end] {
			p := &cloudflare.WorkersKVPair{
				Key:           e.Key,
				Value:         e.Value,
				ExpirationTTL: int(e.ExpirationTTL),
				Expiration:    int(e.Expiration),
			}
			if len(e.Metadata) > 0 {
				p.Metadata = e.Metadata
			}
			pairs = append(pairs, p)
		}
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.namespaceID,
			KVs:         pairs,
		}); err != nil {
			return fmt.Errorf("legacykv: bulk put: %w", err)
		}
	}
	return nil
}

func toPage(res cloudflare.ListStorageKeysResponse) kv.Page {
	page := kv.Page{
		Keys:     make([]kv.KeyInfo, 0, len(res.Result)),
		Cursor:   res.ResultInfo.Cursor,
		Complete: res.ResultInfo.Cursor == "",
	}
	for _, k := range res.Result {
		info := kv.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if m, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = m
		}
		page.Keys = append(page.Keys, info)
	}
	return page
}
