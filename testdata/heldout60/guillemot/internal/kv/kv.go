// Package kv is the backend's access to the Workers KV namespaces through the
// Cloudflare REST API. Every call is traced.
package kv

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kv: key not found")

// MaxBulkPairs is the number of pairs the bulk endpoints accept per request.
const MaxBulkPairs = 10_000

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/kv")

// Namespace is one KV namespace of the forum's Cloudflare account.
type Namespace struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	id    string
	title string
}

// Open binds a namespace by ID. The title is only used in traces.
func Open(api *cloudflare.API, accountID, namespaceID, title string) *Namespace {
	return &Namespace{api: api, rc: cloudflare.AccountIdentifier(accountID), id: namespaceID, title: title}
}

// SDK exposes the underlying client for jobs that need the raw endpoints.
func (n *Namespace) SDK() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return n.api, n.rc, n.id
}

func (n *Namespace) start(ctx context.Context, op, key string) (context.Context, trace.Span) {
	return tracer.Start(ctx, "kv."+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("kv.namespace", n.title), attribute.String("kv.key", key)))
}

func fail(span trace.Span, err error) error {
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
	return err
}

// Get returns the value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, span := n.start(ctx, "get", key)
	defer span.End()
	raw, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case errors.As(err, &nf):
		span.SetAttributes(attribute.Bool("kv.miss", true))
		return nil, ErrNotFound
	case err != nil:
		return nil, fail(span, fmt.Errorf("kv get %q: %w", key, err))
	}
	return raw, nil
}

func (n *Namespace) write(ctx context.Context, pair *cloudflare.WorkersKVPair, value []byte) error {
	ctx, span := n.start(ctx, "put", pair.Key)
	defer span.End()
	span.SetAttributes(attribute.Int("kv.ttl_seconds", pair.ExpirationTTL), attribute.Int("kv.expiration", pair.Expiration))
	var err error
	if pair.ExpirationTTL == 0 && pair.Expiration == 0 && pair.Metadata == nil {
		_, err = n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: n.id, Key: pair.Key, Value: value})
	} else {
		pair.Value, pair.Base64 = base64.StdEncoding.EncodeToString(value), true
		_, err = n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: n.id, KVs: []*cloudflare.WorkersKVPair{pair}})
	}
	if err != nil {
		return fail(span, fmt.Errorf("kv put %q: %w", pair.Key, err))
	}
	return nil
}

// Put stores value under key. A zero ttl keeps the key until it is deleted.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.write(ctx, &cloudflare.WorkersKVPair{Key: key, ExpirationTTL: int(ttl.Seconds())}, value)
}

// PutCache stores a derived value that can be rebuilt from its source. The
// lifetime is raised to KV's one-minute floor.
func (n *Namespace) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	return n.write(ctx, &cloudflare.WorkersKVPair{Key: key, Expiration: int(at.Unix())}, value)
}

// PutMeta stores value with list metadata, so that jobs can read small
// fields from a listing without fetching every value.
func (n *Namespace) PutMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	return n.write(ctx, &cloudflare.WorkersKVPair{Key: key, Metadata: meta, ExpirationTTL: int(ttl.Seconds())}, value)
}

// PutMany writes pairs with the bulk endpoint, MaxBulkPairs per request.
func (n *Namespace) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	ctx, span := n.start(ctx, "put_many", "")
	defer span.End()
	span.SetAttributes(attribute.Int("kv.pairs", len(pairs)))
	for start := 0; start < len(pairs); start += MaxBulkPairs {
		batch := pairs[start:min(start+MaxBulkPairs, len(pairs))]
		if _, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: n.id, KVs: batch}); err != nil {
			return fail(span, err)
		}
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	ctx, span := n.start(ctx, "delete", key)
	defer span.End()
	if _, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key}); err != nil {
		return fail(span, fmt.Errorf("kv delete %q: %w", key, err))
	}
	return nil
}

// DeleteMany removes keys with the bulk endpoint.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	ctx, span := n.start(ctx, "delete_many", "")
	defer span.End()
	for start := 0; start < len(keys); start += MaxBulkPairs {
		batch := keys[start:min(start+MaxBulkPairs, len(keys))]
		if _, err := n.api.DeleteWorkersKVEntries(ctx, n.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: n.id, Keys: batch}); err != nil {
			return fail(span, err)
		}
	}
	return nil
}

// Page is one page of a key listing. Cursor is empty on the last page.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	ctx, span := n.start(ctx, "list", prefix)
	defer span.End()
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{NamespaceID: n.id, Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, fail(span, fmt.Errorf("kv list %q: %w", prefix, err))
	}
	span.SetAttributes(attribute.Int("kv.keys", len(resp.Result)))
	return Page{Keys: resp.Result, Cursor: resp.ResultInfo.Cursor}, nil
}
