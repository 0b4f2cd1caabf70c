// Package kvstore is the team's adapter over the Workers KV REST API
// (cloudflare-go v2). It hides the SDK's param.Field plumbing, turns a 404
// into ErrNotFound and puts a circuit breaker in front of reads so that a
// KV incident degrades the portal instead of stalling every request.
package kvstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
	"github.com/sony/gobreaker/v2"
)

// ErrNotFound is returned by Get when the key does not exist (or expired).
var ErrNotFound = errors.New("kvstore: key not found")

const (
	MinTTL  = time.Minute // shortest lifetime KV accepts for an expiring key
	MaxBulk = 10_000      // pairs per bulk request
)

// Namespace is one KV namespace bound to an account.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
	log       *slog.Logger
	reads     *gobreaker.CircuitBreaker[[]byte]
}

// NewClient builds the SDK client shared by all namespaces.
func NewClient(apiToken string) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(apiToken), option.WithMaxRetries(2), option.WithRequestTimeout(5*time.Second))
}

// Open binds a namespace.
func Open(client *cloudflare.Client, accountID, namespaceID string, log *slog.Logger) *Namespace {
	ns := &Namespace{client: client, accountID: accountID, id: namespaceID, log: log.With(slog.String("kv_namespace", namespaceID))}
	ns.reads = gobreaker.NewCircuitBreaker[[]byte](gobreaker.Settings{
		Name:        "kv-read:" + namespaceID,
		MaxRequests: 3,
		Interval:    time.Minute,
		Timeout:     15 * time.Second,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.Requests >= 20 && c.TotalFailures*2 >= c.Requests
		},
		IsSuccessful: func(err error) bool {
			return err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, context.Canceled)
		},
		OnStateChange: func(name string, from, to gobreaker.State) {
			ns.log.Warn("kv breaker changed state", "breaker", name, "from", from.String(), "to", to.String())
		},
	})
	return ns
}

// ID, AccountID and Client serve the few callers that need an endpoint the
// adapter does not wrap.
func (n *Namespace) ID() string                 { return n.id }
func (n *Namespace) AccountID() string          { return n.accountID }
func (n *Namespace) Client() *cloudflare.Client { return n.client }

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	return n.reads.Execute(func() ([]byte, error) {
		res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, url.PathEscape(key), kv.NamespaceValueGetParams{
			AccountID: cloudflare.F(n.accountID),
		})
		if err != nil {
			if isNotFound(err) {
				return nil, ErrNotFound
			}
			return nil, fmt.Errorf("kv get %q: %w", key, err)
		}
		defer res.Body.Close()
		return io.ReadAll(res.Body)
	})
}

// GetJSON decodes the value stored under key into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("kv decode %q: %w", key, err)
	}
	return nil
}

// Put stores value under key. A zero ttl stores the key without expiry.
// The single-value endpoint of this SDK version takes no TTL, so expiring
// writes go through the bulk endpoint with one pair.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	pair := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(string(value)),
	}
	if ttl > 0 {
		pair.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	return n.PutMany(ctx, []kv.NamespaceBulkUpdateParamsBody{pair})
}

// PutJSON encodes v and stores it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv encode %q: %w", key, err)
	}
	return n.Put(ctx, key, raw, ttl)
}

// CachePut stores a derived value. Lifetimes shorter than KV's minimum are
// raised to it, so callers can pass whatever freshness they would like.
func (n *Namespace) CachePut(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	return n.PutMany(ctx, []kv.NamespaceBulkUpdateParamsBody{{
		Key:        cloudflare.F(key),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	}})
}

// PutWithMetadata stores a value that never expires together with JSON
// metadata (returned by List, so listings can skip a Get per key).
func (n *Namespace) PutWithMetadata(ctx context.Context, key, value string, meta any) error {
	m, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("kv encode metadata %q: %w", key, err)
	}
	_, err = n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Metadata:  cloudflare.F(string(m)),
		Value:     cloudflare.F(value),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutMany writes up to MaxBulk pairs in one request.
func (n *Namespace) PutMany(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      pairs,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put (%d pairs): %w", len(pairs), err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// DeleteMany removes up to MaxBulk keys in one request.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	body, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	_, err = n.client.KV.Namespaces.Bulk.Delete(ctx, n.id, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	}, option.WithRequestBody("application/json", body))
	if err != nil {
		return fmt.Errorf("kv bulk delete (%d keys): %w", len(keys), err)
	}
	return nil
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty when the listing is complete
}

// List returns one page of keys under prefix, starting at cursor.
func (n *Namespace) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// HasAny reports whether at least one key exists under prefix.
func (n *Namespace) HasAny(ctx context.Context, prefix string) (bool, error) {
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, fmt.Errorf("kv probe %q: %w", prefix, err)
	}
	return len(res.Result) > 0, nil
}

// Update reads the value under key, hands it to fn (nil when the key is
// absent) and stores what fn returns.
func (n *Namespace) Update(ctx context.Context, key string, ttl time.Duration, fn func(cur []byte) ([]byte, error)) error {
	cur, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	if bytes.Equal(cur, next) {
		return nil
	}
	return n.Put(ctx, key, next, ttl) // EXPECT kvrace
}
