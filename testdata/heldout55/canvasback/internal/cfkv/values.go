// Package cfkv is the clinic backend's access to Workers KV over the
// Cloudflare REST API. The SDK's value service is embedded, so callers can use
// Get, Update and Delete directly; the helpers add the account and namespace.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

type (
	Client     = cloudflare.Client
	UpdateArgs = kv.NamespaceValueUpdateParams
	ListArgs   = kv.NamespaceKeyListParams
	BulkPair   = kv.NamespaceKeyBulkUpdateParamsBody
)

// ErrNotFound is returned by Read for a key that does not exist.
var ErrNotFound = errors.New("cfkv: key not found")

// Values is one KV namespace reachable through the REST API.
type Values struct {
	*kv.NamespaceValueService
	Keys        *kv.NamespaceKeyService
	AccountID   string
	NamespaceID string
}

// NewClient builds the API client from a token.
func NewClient(token string) *Client {
	return cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
}

// Open returns the namespace nsID of account.
func Open(c *Client, account, nsID string) *Values {
	return &Values{
		NamespaceValueService: c.KV.Namespaces.Values,
		Keys:                  c.KV.Namespaces.Keys,
		AccountID:             account,
		NamespaceID:           nsID,
	}
}

// Read returns the raw value of key, or ErrNotFound.
func (v *Values) Read(ctx context.Context, key string) ([]byte, error) {
	res, err := v.Get(ctx, v.NamespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(v.AccountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Write stores val under key; ttl zero means no expiry.
func (v *Values) Write(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	args := UpdateArgs{AccountID: cloudflare.F(v.AccountID), Value: cloudflare.F(string(val))}
	if ttl > 0 {
		args.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := v.Update(ctx, v.NamespaceID, key, args)
	return err
}

// WriteCache stores a derived cache entry; lifetimes below KV's minimum are
// raised to it.
func (v *Values) WriteCache(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return v.Write(ctx, key, val, max(ttl, time.Minute))
}

// Remove deletes key.
func (v *Values) Remove(ctx context.Context, key string) error {
	_, err := v.Delete(ctx, v.NamespaceID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(v.AccountID)})
	return err
}

// BulkWrite writes pairs in requests of at most 10,000 and reports the keys
// the API could not write.
func (v *Values) BulkWrite(ctx context.Context, pairs []BulkPair) ([]string, error) {
	const maxPairs = 10_000
	var failed []string
	var errs []error
	for start := 0; start < len(pairs); start += maxPairs {
		end := min(start+maxPairs, len(pairs))
		res, err := v.Keys.BulkUpdate(ctx, v.NamespaceID, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(v.AccountID),
			Body:      pairs[start:end],
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("pairs %d-%d: %w", start, end, err))
			continue
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, errors.Join(errs...)
}
