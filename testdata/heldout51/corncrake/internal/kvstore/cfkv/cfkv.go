// Package cfkv is the kv:// backend: one Workers KV namespace reached through
// the cloudflare-go v0 client that the portal has used since launch.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/corncrake/internal/kvstore"
)

// Store is a single namespace.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// Constructor returns a kvstore.Constructor for DSNs of the form
// kv://<namespace-id>.
func Constructor(api *cloudflare.API, accountID string) kvstore.Constructor {
	return func(_ context.Context, u *url.URL) (kvstore.Store, error) {
		ns := u.Host
		if ns == "" {
			ns = strings.TrimPrefix(u.Opaque, "//")
		}
		if ns == "" {
			return nil, fmt.Errorf("cfkv: DSN %q has no namespace id", u.String())
		}
		return New(api, accountID, ns), nil
	}
}

// New returns a store bound to one namespace.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// Namespace reports the namespace id.
func (s *Store) Namespace() string { return s.ns }

// Get implements kvstore.Store. A 404 from the API is a miss, not an error.
func (s *Store) Get(ctx context.Context, key string) kvstore.Result[kvstore.Optional[[]byte]] {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return kvstore.OK(kvstore.None[[]byte]())
		}
		return kvstore.Fail[kvstore.Optional[[]byte]](fmt.Errorf("cfkv: get %s: %w", key, err))
	}
	return kvstore.OK(kvstore.Some(raw))
}

func pairFor(key string, value []byte, opts kvstore.PutOptions) *cloudflare.WorkersKVPair {
	p := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Metadata: opts.Metadata}
	if opts.TTL > 0 {
		p.ExpirationTTL = int(opts.TTL.Seconds())
	}
	if !opts.ExpireAt.IsZero() {
		p.Expiration = int(opts.ExpireAt.Unix())
	}
	return p
}

// Put implements kvstore.Store. The v0 single-value endpoint takes no expiry
// or metadata, so writes that carry either go through the bulk endpoint.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	if opts.TTL == 0 && opts.ExpireAt.IsZero() && opts.Metadata == nil {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.ns,
			Key:         key,
			Value:       value,
		})
		return err
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pairFor(key, value, opts)},
	})
	return err
}

// Delete implements kvstore.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	return err
}

// PutBatch implements kvstore.BatchWriter in requests of at most 10,000 pairs.
func (s *Store) PutBatch(ctx context.Context, entries []kvstore.Entry) error {
	const maxPairs = 10000
	for start := 0; start < len(entries); start += maxPairs {
		end := min(start+maxPairs, len(entries))
		kvs := make([]*cloudflare.WorkersKVPair, 0, end-start)
		for _, e := range entries[start:end] {
			kvs = append(kvs, pairFor(e.Key, e.Value, e.Opts))
		}
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: kvs}); err != nil {
			return fmt.Errorf("cfkv: bulk write %d..%d: %w", start, end, err)
		}
	}
	return nil
}

// DeleteBatch implements kvstore.BatchDeleter.
func (s *Store) DeleteBatch(ctx context.Context, keys []string) error {
	const maxKeys = 10000
	for start := 0; start < len(keys); start += maxKeys {
		end := min(start+maxKeys, len(keys))
		if _, err := s.api.DeleteWorkersKVEntries(ctx, s.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: s.ns, Keys: keys[start:end]}); err != nil {
			return err
		}
	}
	return nil
}

// List implements kvstore.Lister: one page, with the cursor for the next.
func (s *Store) List(ctx context.Context, opts kvstore.ListOptions) kvstore.Result[kvstore.Page] {
	limit := opts.Limit
	if limit < 10 || limit > kvstore.MaxListLimit {
		limit = kvstore.MaxListLimit
	}
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      opts.Prefix,
		Cursor:      opts.Cursor,
		Limit:       limit,
	})
	if err != nil {
		return kvstore.Fail[kvstore.Page](err)
	}
	page := kvstore.Page{Cursor: resp.Cursor, Complete: resp.Cursor == ""}
	for _, k := range resp.Result {
		ki := kvstore.KeyInfo{Name: k.Name, Metadata: k.Metadata}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, ki)
	}
	return kvstore.OK(page)
}
