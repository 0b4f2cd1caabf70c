// Package kvstore is pukeko's thin adapter over the Cloudflare REST API for
// Workers KV. The backend (subscriber API, send pipeline, admin jobs) talks to
// KV only through this package.
package kvstore

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
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// NotFoundError reports a key that KV does not hold (HTTP 404).
type NotFoundError struct {
	Namespace string
	Key       string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("kv %s: key %q not found", e.Namespace, e.Key)
}

// IsNotFound reports whether err is, or wraps, a *NotFoundError.
func IsNotFound(err error) bool {
	_, ok := errors.AsType[*NotFoundError](err)
	return ok
}

// Namespace is one KV namespace of one account.
type Namespace struct {
	client  *cloudflare.Client
	account string
	id      string
	name    string
}

// Open returns a handle on the namespace id of account, authenticated with an
// API token.
func Open(token, account, id, name string) *Namespace {
	return &Namespace{
		client:  cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2)),
		account: account,
		id:      id,
		name:    name,
	}
}

// Name is the human name of the namespace (used in logs and errors).
func (n *Namespace) Name() string { return n.name }

// WriteOptions are the optional settings of a write. Durations and times are
// held by pointer so that "unset" differs from zero.
type WriteOptions struct {
	TTL      *time.Duration
	ExpireAt *time.Time
	Metadata map[string]any
}

// Get returns the raw value stored under key. A missing key yields a
// *NotFoundError.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.account),
	})
	if err != nil {
		if apiErr, ok := errors.AsType[*cloudflare.Error](err); ok && apiErr.StatusCode == http.StatusNotFound {
			return nil, &NotFoundError{Namespace: n.name, Key: key}
		}
		return nil, fmt.Errorf("kv %s: get %q: %w", n.name, key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// GetJSON decodes the JSON value stored under key into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put stores value under key. The single-value endpoint of the pinned SDK has
// no expiration fields, so writes that expire go through the bulk endpoint
// with a one-element body.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, o *WriteOptions) error {
	if o == nil {
		o = &WriteOptions{}
	}
	if o.TTL == nil && o.ExpireAt == nil {
		meta, err := json.Marshal(o.Metadata)
		if err != nil {
			return err
		}
		_, err = n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(n.account),
			Metadata:  cloudflare.F(string(meta)),
			Value:     cloudflare.F(string(value)),
		})
		return err
	}
	return n.PutMany(ctx, []Entry{{Key: key, Value: value, TTL: o.TTL, ExpireAt: o.ExpireAt, Metadata: o.Metadata}})
}

// PutJSON encodes v as JSON and stores it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, o *WriteOptions) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, raw, o)
}

// PutFor stores value under key for ttl. Lifetimes under a minute are raised
// to a minute, the shortest KV accepts.
func (n *Namespace) PutFor(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutMany(ctx, []Entry{{Key: key, Value: value, TTL: &ttl}})
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      *time.Duration
	ExpireAt *time.Time
	Metadata map[string]any
}

// PutMany writes entries in one bulk request.
func (n *Namespace) PutMany(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(string(e.Value)),
		}
		if e.TTL != nil {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.ExpireAt != nil {
			b.Expiration = cloudflare.F(float64(e.ExpireAt.Unix()))
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, b)
	}
	_, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.account),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kv %s: bulk write of %d: %w", n.name, len(entries), err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.account),
	})
	if apiErr, ok := errors.AsType[*cloudflare.Error](err); ok && apiErr.StatusCode == http.StatusNotFound {
		return nil
	}
	return err
}
