// Package rest is the back office's access to Workers KV over the Cloudflare
// REST API. Client and AccountID are set once by Setup at startup; the
// functions here and the Base type that repositories embed use them.
package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/kverr"
	"github.com/helpdeskco/sanderling/internal/load"
	"github.com/helpdeskco/sanderling/internal/maybe"
)

// Namespace is a KV namespace ID.
type Namespace string

var (
	// Client is the shared API client.
	Client *cloudflare.Client
	// AccountID owns every namespace used here.
	AccountID string

	Tickets  Namespace
	Sessions Namespace
	Widget   Namespace
	SLA      Namespace
)

// Setup creates the client. Call it once before any other function.
func Setup(cfg config.CloudflareConfig) {
	Client = cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(2))
	AccountID = cfg.AccountID
	Tickets = Namespace(cfg.TicketsNS)
	Sessions = Namespace(cfg.SessionsNS)
	Widget = Namespace(cfg.WidgetNS)
	SLA = Namespace(cfg.SLANS)
}

// Get returns the value at key. A missing key is reported as *kverr.MissError.
func Get(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	res, err := Client.KV.Namespaces.Values.Get(ctx, string(ns), url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, &kverr.MissError{Namespace: string(ns), Key: key}
		}
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Lookup is Get with a miss reported as None.
func Lookup(ctx context.Context, ns Namespace, key string) maybe.Result[maybe.Maybe[[]byte]] {
	b, err := Get(ctx, ns, key)
	if kverr.IsMiss(err) {
		return maybe.Ok(maybe.None[[]byte]())
	}
	if err != nil {
		return maybe.Fail[maybe.Maybe[[]byte]](err)
	}
	return maybe.Ok(maybe.Some(b))
}

// Put writes value at key; a ttl of zero means no expiry.
func Put(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := Client.KV.Namespaces.Values.Update(ctx, string(ns), url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutExpiring writes value with a lifetime computed at run time. KV refuses
// lifetimes under a minute, so shorter ones are rounded up.
func PutExpiring(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return Put(ctx, ns, key, value, ttl)
}

// PutWithMetadata writes value with metadata that list results carry.
func PutWithMetadata(ctx context.Context, ns Namespace, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(AccountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	}
	if ttl >= time.Minute {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := Client.KV.Namespaces.Values.Update(ctx, string(ns), url.PathEscape(key), params)
	return err
}

// Delete removes key.
func Delete(ctx context.Context, ns Namespace, key string) error {
	_, err := Client.KV.Namespaces.Values.Delete(ctx, string(ns), url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(AccountID),
	})
	return err
}

// Prefixed returns a key builder for one fixed prefix.
func Prefixed(prefix string) func(id ...string) string {
	return func(id ...string) string {
		k := prefix
		for _, p := range id {
			k += p + ":"
		}
		return k[:len(k)-1]
	}
}

// Base is embedded by the back office's repositories.
type Base struct {
	NS         Namespace
	DefaultTTL time.Duration
}

// Get returns the value at key.
func (b Base) Get(ctx context.Context, key string) ([]byte, error) { return Get(ctx, b.NS, key) }

// GetJSON decodes the value at key into dst.
func (b Base) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := b.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes value at key; a zero ttl uses the repository default.
func (b Base) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl == 0 {
		ttl = b.DefaultTTL
	}
	return Put(ctx, b.NS, key, value, ttl)
}

// PutJSON encodes v and writes it at key.
func (b Base) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(ctx, key, raw, ttl)
}

// Delete removes key.
func (b Base) Delete(ctx context.Context, key string) error { return Delete(ctx, b.NS, key) }

// Update rewrites the value at key with fn. fn receives nil when the key is
// missing.
func (b Base) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := b.Get(ctx, key)
	if err != nil && !kverr.IsMiss(err) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return b.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// Cached returns the value at key, loading it with l and caching it for ttl
// when it is missing.
func (b Base) Cached(ctx context.Context, key string, ttl time.Duration, l load.Loader) ([]byte, error) {
	raw, err := b.Get(ctx, key)
	if err == nil {
		return raw, nil
	}
	if !kverr.IsMiss(err) {
		return nil, err
	}
	raw, err = l.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := PutExpiring(ctx, b.NS, key, raw, ttl); err != nil {
		return nil, err
	}
	return raw, nil
}
