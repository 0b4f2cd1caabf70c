// Package kvstore is the backend's thin adapter over the Workers KV REST API
// (cloudflare-go v5). Every backend component that touches KV goes through a
// *Namespace so that account and namespace IDs are configured in one place.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulk is the largest number of pairs the bulk endpoints accept per call.
const MaxBulk = 10_000

// Namespace is one KV namespace of one account.
type Namespace struct {
	api       *cloudflare.Client
	accountID string
	id        string
}

// New binds a client to a namespace.
func New(api *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, accountID: accountID, id: namespaceID}
}

// API exposes the raw SDK client for calls the adapter does not wrap.
func (n *Namespace) API() *cloudflare.Client { return n.api }

// AccountID returns the account the namespace belongs to.
func (n *Namespace) AccountID() string { return n.accountID }

// ID returns the namespace ID.
func (n *Namespace) ID() string { return n.id }

// Get reads the value stored under key. It returns ErrNotFound for a missing
// key and the API error for anything else.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.api.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores val under key. A zero ttl stores the pair without expiry.
func (n *Namespace) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(val)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCache stores a cache entry. Entries always live at least one minute,
// which is the shortest lifetime KV accepts.
func (n *Namespace) PutCache(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, val, ttl)
}

// PutUntil stores val under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, val []byte, at time.Time) error {
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F(string(val)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutWithMetadata stores val with metadata that List returns next to the key.
func (n *Namespace) PutWithMetadata(ctx context.Context, key string, val []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(val)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	return err
}

// AppendLine adds one line to a newline-separated log value.
func (n *Namespace) AppendLine(ctx context.Context, key, line string) error {
	old, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next := string(old) + line + "\n"
	return n.Put(ctx, key, []byte(next), 0) // EXPECT kvrace
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty when there are no more keys
}

// ListPage returns one page of keys under prefix starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.api.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// BulkPut writes pairs in batches the bulk endpoint accepts.
func (n *Namespace) BulkPut(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		res, err := n.api.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      pairs[start:end],
		})
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("kv bulk put: %d keys not written", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// Pair builds one bulk entry.
func Pair(key string, val []byte, ttl time.Duration) kv.NamespaceBulkUpdateParamsBody {
	p := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(string(val)),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return p
}

// FromEnv builds the namespace the process is configured for through
// CF_API_TOKEN, CF_ACCOUNT_ID and KV_NAMESPACE_ID.
func FromEnv() (*Namespace, error) {
	token, account, ns := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID")
	if token == "" || account == "" || ns == "" {
		return nil, errors.New("kvstore: CF_API_TOKEN, CF_ACCOUNT_ID and KV_NAMESPACE_ID are required")
	}
	return New(cloudflare.NewClient(option.WithAPIToken(token)), account, ns), nil
}
