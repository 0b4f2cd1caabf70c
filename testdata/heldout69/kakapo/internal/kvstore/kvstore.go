// Package kvstore is the backend's thin layer over the Cloudflare REST API for
// Workers KV. The auction API, the real-time hub and the PocketBase admin all
// share it, so every namespace is addressed the same way.
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
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get and GetJSON when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulk is the number of pairs the bulk endpoints accept per request.
const MaxBulk = 10_000

// Namespace addresses one KV namespace of one account.
type Namespace struct {
	api       *kv.NamespaceService
	accountID string
	id        string
	name      string
}

// NewClient builds the Cloudflare API client shared by every namespace.
func NewClient(apiToken string) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(apiToken),
		option.WithMaxRetries(2),
	)
}

// Open returns a handle on namespaceID. name is only used in errors and logs.
func Open(client *cloudflare.Client, accountID, namespaceID, name string) *Namespace {
	return &Namespace{api: client.KV.Namespaces, accountID: accountID, id: namespaceID, name: name}
}

// Name is the logical name the namespace was opened with.
func (n *Namespace) Name() string { return n.name }

// ID is the Cloudflare namespace identifier.
func (n *Namespace) ID() string { return n.id }

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.api.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv %s: get %q: %w", n.name, key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores value under key. A zero ttl stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := n.api.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("kv %s: put %q: %w", n.name, key, err)
	}
	return nil
}

// PutMeta stores value with metadata that List returns alongside the key.
func (n *Namespace) PutMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Metadata:  cloudflare.F(meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.api.Values.Update(ctx, n.id, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv %s: delete %q: %w", n.name, key, err)
	}
	return nil
}

// ListPage returns one page of key names under prefix, and the cursor of the
// next page ("" when there is none).
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.api.Keys.List(ctx, n.id, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv %s: list %q: %w", n.name, prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// BulkPut writes entries in requests of at most MaxBulk pairs and returns the
// keys the API reported as not written.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) ([]string, error) {
	var failed []string
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceKeyBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		res, err := n.api.Keys.BulkUpdate(ctx, n.id, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      body,
		})
		if err != nil {
			return failed, fmt.Errorf("kv %s: bulk put: %w", n.name, err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
