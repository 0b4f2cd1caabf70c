// Package kvstore is the control plane's thin, traced client for one Workers KV
// namespace, reached through the Cloudflare REST API (cloudflare-go v6).
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is one KV namespace in one account.
type Namespace struct {
	Name    string
	values  *kv.NamespaceValueService
	keys    *kv.NamespaceKeyService
	account string
	id      string
	tracer  trace.Tracer
}

// Open binds a namespace. name is only used in span attributes.
func Open(client *cloudflare.Client, accountID, namespaceID, name string) *Namespace {
	return &Namespace{
		Name:    name,
		values:  client.KV.Namespaces.Values,
		keys:    client.KV.Namespaces.Keys,
		account: accountID,
		id:      namespaceID,
		tracer:  otel.Tracer("stilt/kvstore"),
	}
}

func (n *Namespace) start(ctx context.Context, op, key string) (context.Context, trace.Span) {
	return n.tracer.Start(ctx, "kv."+op, trace.WithAttributes(
		attribute.String("kv.namespace", n.Name),
		attribute.String("kv.key", key),
	))
}

func fail(span trace.Span, err error) error {
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
	return err
}

// IsNotFound reports whether err is a 404 from the KV API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, span := n.start(ctx, "get", key)
	defer span.End()

	res, err := n.values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.account),
	})
	if err != nil {
		if IsNotFound(err) {
			span.SetAttributes(attribute.Bool("kv.hit", false))
			return nil, ErrNotFound
		}
		return nil, fail(span, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fail(span, err)
	}
	span.SetAttributes(attribute.Bool("kv.hit", true), attribute.Int("kv.bytes", len(body)))
	return body, nil
}

// Put stores value under key. A ttl of zero stores the pair without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ctx, span := n.start(ctx, "put", key)
	defer span.End()

	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.account),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
		span.SetAttributes(attribute.Int64("kv.ttl_s", int64(ttl.Seconds())))
	}
	if _, err := n.values.Update(ctx, n.id, key, params); err != nil {
		return fail(span, fmt.Errorf("kv put %s: %w", key, err))
	}
	return nil
}

// PutWithMeta stores value and a small metadata object that List returns with
// the key, so listings do not need a get per key.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	ctx, span := n.start(ctx, "put", key)
	defer span.End()

	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := n.values.Update(ctx, n.id, key, params); err != nil {
		return fail(span, fmt.Errorf("kv put %s: %w", key, err))
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	ctx, span := n.start(ctx, "delete", key)
	defer span.End()

	_, err := n.values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.account),
	})
	if err != nil && !IsNotFound(err) {
		return fail(span, err)
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
	ctx, span := n.start(ctx, "list", prefix)
	defer span.End()

	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.account),
		Prefix:    cloudflare.F(prefix),
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fail(span, err)
	}
	span.SetAttributes(attribute.Int("kv.keys", len(res.Result)))
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursors.After}, nil
}
