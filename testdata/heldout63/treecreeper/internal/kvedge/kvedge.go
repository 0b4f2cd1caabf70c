// Package kvedge is the team's adapter over the Workers KV REST API
// (cloudflare-go v6). Postgres is the source of truth; everything written
// here is an edge projection that the portal Worker reads.
package kvedge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ledgerline/treecreeper/internal/telemetry"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvedge: key not found")

// Namespace is one KV namespace reached over the REST API.
type Namespace struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

// Open builds a Namespace from an API token.
func Open(token, accountID, namespaceID string) *Namespace {
	return &Namespace{
		api:         cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2)),
		accountID:   accountID,
		namespaceID: namespaceID,
	}
}

// API exposes the raw client for callers that need list or bulk calls.
func (n *Namespace) API() *kv.NamespaceService { return n.api.KV.Namespaces }

// AccountID returns the account the namespace lives in.
func (n *Namespace) AccountID() string { return n.accountID }

// ID returns the namespace ID.
func (n *Namespace) ID() string { return n.namespaceID }

func observe(op string, err error) {
	outcome := "ok"
	if errors.Is(err, ErrNotFound) {
		outcome = "miss"
	} else if err != nil {
		outcome = "error"
	}
	telemetry.KVOps.WithLabelValues(op, outcome).Inc()
}

// Get reads a value. A missing key yields ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) (_ []byte, err error) {
	timer := prometheus.NewTimer(telemetry.KVLatency.WithLabelValues("get"))
	defer timer.ObserveDuration()
	defer func() { observe("get", err) }()

	res, err := n.api.KV.Namespaces.Values.Get(ctx, n.namespaceID, key, kv.NamespaceValueGetParams{
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

// Put writes a value with a relative lifetime. A zero ttl stores the value
// without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) (err error) {
	timer := prometheus.NewTimer(telemetry.KVLatency.WithLabelValues("put"))
	defer timer.ObserveDuration()
	defer func() { observe("put", err) }()

	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err = n.api.KV.Namespaces.Values.Update(ctx, n.namespaceID, key, params)
	return err
}

// PutCached writes a cache entry. Lifetimes are raised to KV's one-minute
// floor so that short-lived projections never fail the write.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil writes a value that expires at an absolute time.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) (err error) {
	defer func() { observe("put", err) }()
	_, err = n.api.KV.Namespaces.Values.Update(ctx, n.namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// Delete removes a key.
func (n *Namespace) Delete(ctx context.Context, key string) (err error) {
	timer := prometheus.NewTimer(telemetry.KVLatency.WithLabelValues("delete"))
	defer timer.ObserveDuration()
	defer func() { observe("delete", err) }()
	_, err = n.api.KV.Namespaces.Values.Delete(ctx, n.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// ListPage returns one page of keys under prefix, starting at cursor. The
// caller decides whether to ask for the next page.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.api.KV.Namespaces.Keys.List(ctx, n.namespaceID, params)
	observe("list", err)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// BulkPut writes up to 10,000 pairs in one request.
func (n *Namespace) BulkPut(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(body); start += 10_000 {
		end := min(start+10_000, len(body))
		_, err := n.api.KV.Namespaces.BulkUpdate(ctx, n.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      body[start:end],
		})
		observe("bulk_put", err)
		if err != nil {
			return err
		}
	}
	return nil
}
