// Package restkv is the admin backend's access to Workers KV through the
// Cloudflare REST API (cloudflare-go). It mirrors the Worker's edgekv
// adapter where it can, but talks to the central store directly.
package restkv

import (
	"context"
	"errors"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

const (
	// MaxBulk is the most pairs (or keys) one bulk request may carry.
	MaxBulk = 10_000
	// MaxBulkGet is the most keys one bulk read may ask for.
	MaxBulkGet = 100
)

// Namespace is one KV namespace of one account.
type Namespace struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// IsNotFound reports whether err is the API's answer for a missing key.
func IsNotFound(err error) bool {
	var apiErr *kv.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value at key. A missing key is an error for which
// IsNotFound reports true.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.API.KV.Namespaces.Values.Get(ctx, n.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.AccountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (n *Namespace) updateParams(value []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
}

// Put writes value at key. A ttl of zero stores it without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := n.updateParams(value)
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.API.KV.Namespaces.Values.Update(ctx, n.NamespaceID, url.PathEscape(key), params)
	return err
}

// PutUntil writes value at key and lets it expire at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	params := n.updateParams(value)
	params.Expiration = cloudflare.F(float64(at.UnixMilli())) // EXPECT kvttl
	_, err := n.API.KV.Namespaces.Values.Update(ctx, n.NamespaceID, url.PathEscape(key), params)
	return err
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.API.KV.Namespaces.Values.Delete(ctx, n.NamespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.AccountID)})
	return err
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key   string
	Value string
	TTL   time.Duration
}

// PutMany writes pairs in bulk requests of at most MaxBulk pairs.
func (n *Namespace) PutMany(ctx context.Context, pairs []Pair) error {
	for chunk := range slices.Chunk(pairs, MaxBulk) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, p := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(p.Key), Value: cloudflare.F(p.Value)}
			if p.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(p.TTL, time.Minute).Seconds())
			}
			body = append(body, b)
		}
		res, err := n.API.KV.Namespaces.BulkUpdate(ctx, n.NamespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(n.AccountID), Body: body})
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			slog.WarnContext(ctx, "restkv: bulk write incomplete", "failed", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// DeleteMany removes keys in bulk requests of at most MaxBulk keys.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	for chunk := range slices.Chunk(keys, MaxBulk) {
		if _, err := n.API.KV.Namespaces.BulkDelete(ctx, n.NamespaceID, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(n.AccountID), Body: chunk}); err != nil {
			return err
		}
	}
	return nil
}

// GetMany reads up to MaxBulkGet text values at once. Missing keys are
// absent from the result.
func (n *Namespace) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for chunk := range slices.Chunk(keys, MaxBulkGet) {
		res, err := n.API.KV.Namespaces.BulkGet(ctx, n.NamespaceID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(n.AccountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		vals, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for k, v := range vals.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}

// Page returns one page of keys under prefix and the cursor of the next
// page, which is empty on the last one.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.AccountID), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(float64(limit))}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.API.KV.Namespaces.Keys.List(ctx, n.NamespaceID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys yields every key name under prefix. Breaking out of the loop stops
// the listing.
func (n *Namespace) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		cursor := ""
		for {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}
			keys, next, err := n.Page(ctx, prefix, cursor, 1000)
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range keys {
				if !yield(k.Name, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			cursor = next
		}
	}
}

// Scan yields keys under prefix with their expiration and metadata, at most
// budget of them; a budget of zero or less means no limit. The returned
// function reports the error that ended the scan, if any.
func (n *Namespace) Scan(ctx context.Context, prefix string, budget int) (iter.Seq[kv.Key], func() error) {
	var scanErr error
	seq := func(yield func(kv.Key) bool) {
		cursor, seen := "", 0
		for {
			keys, next, err := n.Page(ctx, prefix, cursor, 1000)
			if err != nil {
				scanErr = err
				return
			}
			for _, k := range keys {
				if !yield(k) {
					return
				}
				seen++
				if budget > 0 && seen >= budget {
					return
				}
			}
			if next == "" {
				return
			}
			cursor = next
		}
	}
	return seq, func() error { return scanErr }
}

// Audited writes every delete to the audit log before performing it. All
// other methods are those of the embedded namespace.
type Audited struct {
	*Namespace
	Actor string
	Log   *slog.Logger
}

func (a Audited) Delete(ctx context.Context, key string) error {
	a.Log.InfoContext(ctx, "kv delete", "actor", a.Actor, "key", key)
	return a.Namespace.Delete(ctx, key)
}

type ctxKey struct{}

// NewContext returns ctx carrying n.
func NewContext(ctx context.Context, n *Namespace) context.Context {
	return context.WithValue(ctx, ctxKey{}, n)
}

// FromContext returns the namespace attached by NewContext.
func FromContext(ctx context.Context) *Namespace {
	n, _ := ctx.Value(ctxKey{}).(*Namespace)
	if n == nil {
		panic("restkv: no namespace in context")
	}
	return n
}
