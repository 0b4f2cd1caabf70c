// Package kvstore adapts the Cloudflare REST SDK to the few KV operations the
// fleet services use.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// MinTTL is the shortest expiration KV accepts.
const MinTTL = time.Minute

// MaxBulk is the largest batch the bulk endpoints accept.
const MaxBulk = 10_000

// Namespace is one KV namespace reached through the REST API.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// New returns a Namespace.
func New(client *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{Client: client, AccountID: accountID, ID: namespaceID}
}

// Get returns the value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.Client.KV.Namespaces.Values.Get(ctx, n.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores value under key. A ttl of zero stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(math.Ceil(ttl.Seconds()))
	}
	if _, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, params); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.AccountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.Client.KV.Namespaces.Values.Delete(ctx, n.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix and the cursor of the next
// page, which is empty on the last page.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.Client.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %s: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata any
}

// PutMany writes entries with the bulk endpoint, MaxBulk at a time.
func (n *Namespace) PutMany(ctx context.Context, entries []Entry) error {
	var errs []error
	for start := 0; start < len(entries); start += MaxBulk {
		chunk := entries[start:min(start+MaxBulk, len(entries))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(math.Ceil(max(e.TTL, MinTTL).Seconds()))
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		res, err := n.Client.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      body,
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(res.UnsuccessfulKeys) > 0 {
			errs = append(errs, fmt.Errorf("kv bulk: %d keys not written", len(res.UnsuccessfulKeys)))
		}
	}
	return errors.Join(errs...)
}

// DeleteMany removes keys with the bulk endpoint, MaxBulk at a time.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		_, err := n.Client.KV.Namespaces.BulkDelete(ctx, n.ID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      keys[start:min(start+MaxBulk, len(keys))],
		})
		if err != nil {
			return err
		}
	}
	return nil
}
