// Package cfkv adapts the Cloudflare REST API (cloudflare-go v3) to the
// domain's BlobStore contract for the backend.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"brant/internal/domain"
	"brant/internal/tracing"
)

// Store is one KV namespace reached over the REST API.
type Store struct {
	client    *cloudflare.Client
	account   string
	namespace string
}

var _ domain.BlobStore = (*Store)(nil)

// New returns a BlobStore for namespace in account.
func New(client *cloudflare.Client, account, namespace string) *Store {
	return &Store{client: client, account: account, namespace: namespace}
}

// Client exposes the API client for bulk and listing calls.
func (s *Store) Client() *cloudflare.Client { return s.client }

// Account is the account id the store is bound to.
func (s *Store) Account() string { return s.account }

// Namespace is the namespace id the store is bound to.
func (s *Store) Namespace() string { return s.namespace }

// Read returns the value at key or domain.ErrNotFound.
func (s *Store) Read(ctx context.Context, key string) (b []byte, err error) {
	ctx, end := tracing.Start(ctx, "kv.get", tracing.Str("key", key))
	defer end(&err)
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, domain.ErrNotFound
		}
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Write stores value at key.
func (s *Store) Write(ctx context.Context, key string, value []byte, o domain.WriteOpts) (err error) {
	ctx, end := tracing.Start(ctx, "kv.put", tracing.Str("key", key), tracing.Int("bytes", len(value)))
	defer end(&err)
	var opts []option.RequestOption
	if o.TTL != nil {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(o.TTL.Seconds()))))
	}
	if o.ExpireAt != nil {
		opts = append(opts, option.WithQuery("expiration", strconv.FormatInt(o.ExpireAt.Unix(), 10)))
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F("{}"),
	}, opts...)
	return err
}

// Remove deletes key.
func (s *Store) Remove(ctx context.Context, key string) (err error) {
	ctx, end := tracing.Start(ctx, "kv.delete", tracing.Str("key", key))
	defer end(&err)
	_, err = s.client.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	return err
}

// Modify reads key, applies fn to the current value (nil when missing) and
// writes the result back.
func (s *Store) Modify(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) (err error) {
	ctx, end := tracing.Start(ctx, "kv.modify", tracing.Str("key", key))
	defer end(&err)
	old, err := s.Read(ctx, key)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return fmt.Errorf("modify %s: %w", key, err)
	}
	return s.Write(ctx, key, next, domain.WriteOpts{TTL: &ttl}) // EXPECT kvrace
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   *time.Duration
	Meta  map[string]any
}

// MaxBulk is the most pairs one bulk request may carry.
const MaxBulk = 10_000

// BulkWrite writes entries in requests of at most MaxBulk pairs.
func (s *Store) BulkWrite(ctx context.Context, entries []Entry) (err error) {
	ctx, end := tracing.Start(ctx, "kv.bulk_put", tracing.Int("pairs", len(entries)))
	defer end(&err)
	for start := 0; start < len(entries); start += MaxBulk {
		chunk := entries[start:min(start+MaxBulk, len(entries))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)}
			if e.TTL != nil {
				b.ExpirationTTL = cloudflare.F(max(e.TTL.Seconds(), 60))
			}
			if e.Meta != nil {
				b.Metadata = cloudflare.F(e.Meta)
			}
			body = append(body, b)
		}
		if _, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.account),
			Body:      body,
		}); err != nil {
			return err
		}
	}
	return nil
}
