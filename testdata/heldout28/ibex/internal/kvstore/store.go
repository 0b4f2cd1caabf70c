// Package kvstore adapts the Cloudflare v0 Go SDK to the small storage
// interfaces the services declare. One Store serves one logical namespace;
// the concrete namespace ID is picked per call from the tenant carried in
// the context, so large networks can be isolated in their own namespace.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Store is a KV namespace accessed through the REST API via the v0 SDK.
type Store struct {
	api       *cloudflare.API
	rc        *cloudflare.ResourceContainer
	defaultNS string
	byTenant  map[string]string
}

// Option configures a Store.
type Option func(*Store)

// WithTenantNamespaces routes the listed tenants to their own namespace.
func WithTenantNamespaces(m map[string]string) Option {
	return func(s *Store) {
		for k, v := range m {
			s.byTenant[k] = v
		}
	}
}

// New returns a Store for namespaceID in accountID.
func New(api *cloudflare.API, accountID, namespaceID string, opts ...Option) *Store {
	s := &Store{
		api:       api,
		rc:        cloudflare.AccountIdentifier(accountID),
		defaultNS: namespaceID,
		byTenant:  map[string]string{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

type tenantKey struct{}

// WithTenant tags ctx with the tenant (podcast network) being served.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// Tenant returns the tenant tagged on ctx, if any.
func Tenant(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}

// Namespace returns the namespace ID used for ctx.
func (s *Store) Namespace(ctx context.Context) string {
	if id, ok := s.byTenant[Tenant(ctx)]; ok {
		return id
	}
	return s.defaultNS
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Get returns the raw value stored under key. A missing key is reported as
// an error satisfying IsNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: s.Namespace(ctx),
		Key:         key,
	})
}

// Load decodes the JSON value under key into into. found is false when the
// key does not exist.
func (s *Store) Load(ctx context.Context, key string, into any) (found bool, err error) {
	raw, err := s.Get(ctx, key)
	if IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("kvstore %s: get %q: %w", s.defaultNS, key, err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return true, fmt.Errorf("kvstore %s: decode %q: %w", s.defaultNS, key, err)
	}
	return true, nil
}

// Put stores val under key with no expiry.
func (s *Store) Put(ctx context.Context, key string, val []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.Namespace(ctx),
		Key:         key,
		Value:       val,
	})
	if err != nil {
		return fmt.Errorf("kvstore %s: put %q: %w", s.defaultNS, key, err)
	}
	return nil
}

// PutTTL stores val under key, expiring after ttl. The single-value write
// endpoint of the v0 SDK has no expiry fields, so this goes through the
// bulk endpoint with one pair.
func (s *Store) PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return s.PutMany(ctx, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         string(val),
		ExpirationTTL: int(ttl / time.Second),
	}})
}

// PutAt stores val under key, expiring at the absolute time at.
func (s *Store) PutAt(ctx context.Context, key string, val []byte, at time.Time) error {
	return s.PutMany(ctx, []*cloudflare.WorkersKVPair{{
		Key:        key,
		Value:      string(val),
		Expiration: int(at.Unix()),
	}})
}

// PutMany writes pairs in one bulk request.
func (s *Store) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.Namespace(ctx),
		KVs:         pairs,
	})
	if err != nil {
		return fmt.Errorf("kvstore %s: bulk write of %d: %w", s.defaultNS, len(pairs), err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: s.Namespace(ctx),
		Key:         key,
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kvstore %s: delete %q: %w", s.defaultNS, key, err)
	}
	return nil
}
