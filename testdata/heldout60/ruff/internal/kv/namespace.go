// Package kv is the gateway's adapter for Cloudflare Workers KV, reached
// through the Cloudflare REST API. The edge Worker uses the runtime binding
// and does not import it. Every call runs in an OpenTelemetry span.
package kv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	cfkv "github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

var tracer = otel.Tracer("github.com/ruffgate/ruff/internal/kv")

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kv: key not found")

// Namespace addresses one KV namespace of one account.
type Namespace struct {
	api       *cfkv.NamespaceService
	accountID string
	id        string
	label     string
}

// Open returns a handle on namespaceID; label only appears in traces.
func Open(client *cloudflare.Client, accountID, namespaceID, label string) *Namespace {
	return &Namespace{api: client.KV.Namespaces, accountID: accountID, id: namespaceID, label: label}
}

func (n *Namespace) start(ctx context.Context, op, key string) (context.Context, trace.Span) {
	return tracer.Start(ctx, "kv."+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("kv.namespace", n.label), attribute.String("kv.key", key)))
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

	res, err := n.api.Values.Get(ctx, n.id, url.PathEscape(key), cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
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

// Put writes value under key. A positive ttl becomes the key's
// expiration_ttl in whole seconds; zero means the key does not expire.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ctx, span := n.start(ctx, "put", key)
	defer span.End()

	var opts []option.RequestOption
	if ttl > 0 {
		secs := int(ttl.Seconds())
		span.SetAttributes(attribute.Int("kv.expiration_ttl", secs))
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(secs)))
	}
	return n.update(ctx, span, key, value, "{}", opts)
}

// PutUntil writes value under key and lets it expire at the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	ctx, span := n.start(ctx, "put", key)
	defer span.End()

	exp := strconv.FormatInt(at.Unix(), 10)
	return n.update(ctx, span, key, value, "{}", []option.RequestOption{option.WithQuery("expiration", exp)})
}

// PutMeta is Put with a metadata object, which List returns with the key.
func (n *Namespace) PutMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	ctx, span := n.start(ctx, "put", key)
	defer span.End()

	m, err := json.Marshal(meta)
	if err != nil {
		return fail(span, err)
	}
	var opts []option.RequestOption
	if ttl > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	return n.update(ctx, span, key, value, string(m), opts)
}

func (n *Namespace) update(ctx context.Context, span trace.Span, key string, value []byte, meta string, opts []option.RequestOption) error {
	_, err := n.api.Values.Update(ctx, n.id, url.PathEscape(key), cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Metadata:  cloudflare.F(meta),
		Value:     cloudflare.F(string(value)),
	}, opts...)
	if err != nil {
		return fail(span, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	ctx, span := n.start(ctx, "delete", key)
	defer span.End()

	_, err := n.api.Values.Delete(ctx, n.id, url.PathEscape(key), cfkv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		return fail(span, err)
	}
	return nil
}

// Page is one page of a key listing. Cursor is empty on the last page.
type Page struct {
	Keys   []cfkv.Key
	Cursor string
}

// List returns one page of at most limit keys that start with prefix,
// continuing from cursor. A limit of zero uses the API default (1000).
func (n *Namespace) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	ctx, span := n.start(ctx, "list", prefix)
	defer span.End()

	params := cfkv.NamespaceKeyListParams{AccountID: cloudflare.F(n.accountID), Prefix: cloudflare.F(prefix)}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.api.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fail(span, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// maxBulkPairs is the REST API's limit on pairs per bulk write.
const maxBulkPairs = 10_000

// Entry is one pair of a bulk write; a positive TTL becomes expiration_ttl.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  map[string]any
}

// PutMany writes entries with as few bulk requests as the API allows.
func (n *Namespace) PutMany(ctx context.Context, entries []Entry) error {
	ctx, span := n.start(ctx, "bulk_put", "")
	defer span.End()

	for start := 0; start < len(entries); start += maxBulkPairs {
		end := min(start+maxBulkPairs, len(entries))
		body := make([]cfkv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := cfkv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if len(e.Meta) > 0 {
				b.Metadata = cloudflare.F(e.Meta)
			}
			body = append(body, b)
		}
		_, err := n.api.Bulk.Update(ctx, n.id, cfkv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(n.accountID), Body: body})
		if err != nil {
			return fail(span, fmt.Errorf("bulk write %d-%d: %w", start, end, err))
		}
	}
	return nil
}

// Bulk, Keys and Values expose the raw services with the identifiers they
// need, for callers that build requests themselves.
func (n *Namespace) Bulk() (*cfkv.NamespaceBulkService, string, string) {
	return n.api.Bulk, n.accountID, n.id
}

func (n *Namespace) Keys() (*cfkv.NamespaceKeyService, string, string) {
	return n.api.Keys, n.accountID, n.id
}

func (n *Namespace) Values() (*cfkv.NamespaceValueService, string, string) {
	return n.api.Values, n.accountID, n.id
}
