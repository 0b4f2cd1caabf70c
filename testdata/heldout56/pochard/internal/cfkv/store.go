// Package cfkv adapts cloudflare-go (v0 API) Workers KV calls to the
// shapes the pochard domain packages expect.
package cfkv

import (
	"context"
	"errors"
	"fmt"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"pochard/internal/bookings"
	"pochard/internal/guest"
	"pochard/internal/inventory"
	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/partners"
	"pochard/internal/tracing"
	"pochard/internal/webhooks"
)

// Store is one KV namespace reached through the account-level REST API.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

var (
	_ partners.Store  = (*Store)(nil)
	_ inventory.Store = (*Store)(nil)
	_ bookings.Store  = (*Store)(nil)
	_ guest.Store     = (*Store)(nil)
	_ webhooks.Store  = (*Store)(nil)
)

func newStore(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// NewPartnerStore returns the partner-key namespace.
func NewPartnerStore(api *cloudflare.API, accountID, namespaceID string) partners.Store {
	return newStore(api, accountID, namespaceID)
}

// NewInventoryStore returns the inventory-hold namespace.
func NewInventoryStore(api *cloudflare.API, accountID, namespaceID string) inventory.Store {
	return newStore(api, accountID, namespaceID)
}

// NewBookingStore returns the confirmation-code namespace.
func NewBookingStore(api *cloudflare.API, accountID, namespaceID string) bookings.Store {
	return newStore(api, accountID, namespaceID)
}

// NewGuestStore returns the guest-portal namespace.
func NewGuestStore(api *cloudflare.API, accountID, namespaceID string) guest.Store {
	return newStore(api, accountID, namespaceID)
}

// NewWebhookStore returns the OTA webhook namespace.
func NewWebhookStore(api *cloudflare.API, accountID, namespaceID string) webhooks.Store {
	return newStore(api, accountID, namespaceID)
}

// Get returns the raw value stored under key. A missing key surfaces as
// the SDK's not-found error, wrapped.
func (s *Store) Get(ctx context.Context, key string) (raw []byte, err error) {
	ctx, end := tracing.Start(ctx, "kv.get", tracing.Str("key", key))
	defer end(&err)
	raw, err = s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return raw, nil
}

// Lookup is Get with a missing key reported as ok == false.
func (s *Store) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	raw, err := s.Get(ctx, key)
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return raw, true, nil
}

// Put writes one value. With no options it uses the single-value
// endpoint; expiry and metadata go through the bulk endpoint, which is
// the only v0 call that carries them.
func (s *Store) Put(ctx context.Context, key string, value []byte, o kv.PutOptions) (err error) {
	ctx, end := tracing.Start(ctx, "kv.put", tracing.Str("key", key), tracing.Int("bytes", len(value)))
	defer end(&err)
	if o.TTL == nil && o.ExpiresAt == nil && o.Metadata == nil {
		_, err = s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.ns,
			Key:         key,
			Value:       value,
		})
		return err
	}
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Metadata: o.Metadata}
	if o.TTL != nil {
		pair.ExpirationTTL = opt.Seconds(*o.TTL)
	}
	if o.ExpiresAt != nil {
		pair.Expiration = int(o.ExpiresAt.Unix())
	}
	_, err = s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// PutPairs writes pairs in one bulk request. Callers size the batch.
func (s *Store) PutPairs(ctx context.Context, pairs []kv.Pair) (err error) {
	ctx, end := tracing.Start(ctx, "kv.bulk_put", tracing.Int("pairs", len(pairs)))
	defer end(&err)
	kvs := make([]*cloudflare.WorkersKVPair, 0, len(pairs))
	for _, p := range pairs {
		kvs = append(kvs, &cloudflare.WorkersKVPair{
			Key:           p.Key,
			Value:         string(p.Value),
			ExpirationTTL: p.ExpirationTTL,
			Expiration:    int(p.Expiration),
			Metadata:      p.Metadata,
		})
	}
	_, err = s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: kvs})
	return err
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) (err error) {
	ctx, end := tracing.Start(ctx, "kv.delete", tracing.Str("key", key))
	defer end(&err)
	_, err = s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	return err
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, o kv.ListOptions) (page kv.Page, err error) {
	ctx, end := tracing.Start(ctx, "kv.list", tracing.Str("prefix", opt.Deref(o.Prefix, "")))
	defer end(&err)
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Limit:       opt.Deref(o.Limit, 1000),
		Cursor:      o.Cursor,
		Prefix:      opt.Deref(o.Prefix, ""),
	})
	if err != nil {
		return kv.Page{}, err
	}
	for _, k := range resp.Result {
		page.Keys = append(page.Keys, kv.Entry{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	page.Cursor = resp.Cursor
	page.Complete = resp.Cursor == ""
	return page, nil
}
