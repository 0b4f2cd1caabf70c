// Package kvrest is the media backend's adapter over the Cloudflare REST API
// for Workers KV. It hides the SDK's param.Field plumbing and turns a 404 into
// ErrNotFound.
package kvrest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvrest: key not found")

// MinTTL is the shortest expiration KV accepts.
const MinTTL = time.Minute

// Namespace is one KV namespace reached through the REST API. The SDK client is
// embedded so callers that need something unusual can reach the raw services.
type Namespace struct {
	*cloudflare.Client
	AccountID string
	ID        string
	Name      string
}

// Open builds a Namespace with its own SDK client.
func Open(token, accountID, namespaceID string) *Namespace {
	return &Namespace{
		Client:    cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2)),
		AccountID: accountID,
		ID:        namespaceID,
	}
}

func (n *Namespace) String() string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

// IsNotFound reports whether err is a KV miss, either our sentinel or a raw
// 404 from the SDK.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value stored under key.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.KV.Namespaces.Values.Get(ctx, n.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s/%s: %w", n, key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON decodes the value under key into out.
func (n *Namespace) GetJSON(ctx context.Context, key string, out any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// Put stores value under key. A zero ttl stores it without expiration.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := n.KV.Namespaces.Values.Update(ctx, n.ID, key, params); err != nil {
		return fmt.Errorf("kv put %s/%s: %w", n, key, err)
	}
	return nil
}

// PutJSON encodes v and stores it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, raw, ttl)
}

// PutCached is Put for cache entries: the lifetime is raised to KV's minimum
// so that callers can pass whatever their upstream's max-age said.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil stores value with an absolute expiration.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.KV.Namespaces.Values.Update(ctx, n.ID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.AccountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutWithMeta stores value together with listable metadata.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.KV.Namespaces.Values.Update(ctx, n.ID, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.KV.Namespaces.Values.Delete(ctx, n.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %s/%s: %w", n, key, err)
	}
	return nil
}

// Page lists one page of keys under prefix, starting at cursor. The returned
// cursor is empty when the listing is complete.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
