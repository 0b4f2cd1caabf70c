// Package cfkv adapts the Cloudflare REST API for Workers KV to the kvio
// interfaces, for the back-office services and the admin CLI.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"merganser/internal/kvio"
)

// Namespace is one KV namespace reached over the REST API.
type Namespace struct {
	API       *cloudflare.Client
	AccountID string
	ID        string
}

// New builds a Namespace from an API token.
func New(token, accountID, namespaceID string) *Namespace {
	return &Namespace{
		API:       cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		AccountID: accountID,
		ID:        namespaceID,
	}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements kvio.Getter.
func (n *Namespace) Get(ctx context.Context, key string) (string, error) {
	res, err := n.API.KV.Namespaces.Values.Get(ctx, n.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return "", fmt.Errorf("cfkv: %s: %w", key, kvio.ErrNotFound)
		}
		return "", fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", fmt.Errorf("cfkv: read %s: %w", key, err)
	}
	return string(b), nil
}

// Put implements kvio.Putter. The REST value endpoint takes the TTL as a
// query parameter, in seconds.
func (n *Namespace) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	var opts []option.RequestOption
	if ttl > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	_, err := n.API.KV.Namespaces.Values.Update(ctx, n.ID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(value),
		Metadata:  cloudflare.F("{}"),
	}, opts...)
	if err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Delete implements kvio.Deleter.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.API.KV.Namespaces.Values.Delete(ctx, n.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List implements kvio.Lister. The REST API reports the end of a listing with
// an empty cursor.
func (n *Namespace) List(ctx context.Context, prefix, cursor string, limit int) (kvio.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(max(10, min(limit, 1000)))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.API.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return kvio.Page{}, fmt.Errorf("cfkv: list %s: %w", prefix, err)
	}
	page := kvio.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
}

// maxBulk is the documented cap on pairs per bulk request.
const maxBulk = 10_000

// WriteBulk writes entries in requests of at most maxBulk pairs.
func (n *Namespace) WriteBulk(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		chunk := entries[start:min(start+maxBulk, len(entries))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(60, e.TTL.Seconds()))
			}
			body = append(body, b)
		}
		if _, err := n.API.KV.Namespaces.Bulk.Update(ctx, n.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("cfkv: bulk write at %d: %w", start, err)
		}
	}
	return nil
}
