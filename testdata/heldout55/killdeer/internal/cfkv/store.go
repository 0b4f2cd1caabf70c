// Package cfkv reaches Workers KV namespaces from the backend through the
// Cloudflare REST API.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// MaxBulk is the most pairs one bulk write accepts.
const MaxBulk = 10_000

// ErrNotFound is returned for keys that do not exist.
var ErrNotFound = errors.New("cfkv: key not found")

// Store is one namespace. The SDK's namespace service is embedded, so
// Values, Keys and Bulk are available directly for calls the helpers below do
// not cover; pass s.ID and s.Acct() to them.
type Store struct {
	*kv.NamespaceService
	AccountID string
	ID        string
}

// New returns a Store for namespace id in account.
func New(client *cloudflare.Client, account, id string) *Store {
	return &Store{NamespaceService: client.KV.Namespaces, AccountID: account, ID: id}
}

// Pair is an alias of the SDK's bulk write item.
type Pair = kv.NamespaceBulkUpdateParamsBody

// GetParams returns the read parameters for this store's account.
func (s *Store) GetParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.AccountID)}
}

// ListParams returns list parameters for prefix.
func (s *Store) ListParams(prefix string, limit int) kv.NamespaceKeyListParams {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.AccountID), Prefix: cloudflare.F(prefix)}
	if limit > 0 {
		p.Limit = cloudflare.F(float64(limit))
	}
	return p
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.Is(err, ErrNotFound) || (errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound)
}

// GetBytes returns the value at key, or ErrNotFound.
func (s *Store) GetBytes(ctx context.Context, key string) ([]byte, error) {
	res, err := s.Values.Get(ctx, s.ID, key, s.GetParams())
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON decodes the value at key into dst.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := s.GetBytes(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes value with optional metadata. The single-value endpoint takes no
// expiry; use PutTTL for records that must expire.
func (s *Store) Put(ctx context.Context, key string, value []byte, meta map[string]any) error {
	m := "{}"
	if meta != nil {
		b, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		m = string(b)
	}
	_, err := s.Values.Update(ctx, s.ID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Metadata:  cloudflare.F(m),
		Value:     cloudflare.F(string(value)),
	})
	return err
}

// PutTTL writes one value that expires after ttl, through the bulk endpoint
// because it is the one that accepts an expiry.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.PutBatch(ctx, []Pair{{
		Key:           cloudflare.F(key),
		Value:         cloudflare.F(string(value)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	}})
}

// PutBatch writes pairs in chunks of MaxBulk. Chunks are independent: a
// failed chunk does not stop the others, and all failures are returned.
func (s *Store) PutBatch(ctx context.Context, pairs []Pair) error {
	var errs []error
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		_, err := s.Bulk.Update(ctx, s.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      pairs[start:end],
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("cfkv: bulk %d..%d: %w", start, end, err))
		}
	}
	return errors.Join(errs...)
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.Values.Delete(ctx, s.ID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.AccountID)})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// UpdateParams builds single-value write parameters.
func (s *Store) UpdateParams(value []byte, metadata string) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Metadata:  cloudflare.F(metadata),
		Value:     cloudflare.F(string(value)),
	}
}
