// Package cfv2 holds the small amount of glue the sync job and the admin
// CLI share on top of cloudflare-go v2.
package cfv2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// Target is a namespace in an account.
type Target struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
}

// FromEnv builds a Target from CF_API_TOKEN, CF_ACCOUNT_ID and the given
// namespace variable.
func FromEnv(nsVar string) (Target, error) {
	t := Target{AccountID: os.Getenv("CF_ACCOUNT_ID"), Namespace: os.Getenv(nsVar)}
	if t.AccountID == "" || t.Namespace == "" {
		return t, fmt.Errorf("CF_ACCOUNT_ID and %s must be set", nsVar)
	}
	t.Client = cloudflare.NewClient(
		option.WithAPIToken(os.Getenv("CF_API_TOKEN")),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(30*time.Second),
	)
	return t, nil
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads a value.
func (t Target) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := t.Client.KV.Namespaces.Values.Get(ctx, t.Namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(t.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes a value with optional JSON metadata and a lifetime in seconds
// (0 for none).
func (t Target) Put(ctx context.Context, key string, value []byte, metadata string, ttlSeconds int) error {
	var opts []option.RequestOption
	if ttlSeconds > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(ttlSeconds)))
	}
	_, err := t.Client.KV.Namespaces.Values.Update(ctx, t.Namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(t.AccountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(metadata),
	}, opts...)
	return err
}

// Delete removes a key.
func (t Target) Delete(ctx context.Context, key string) error {
	_, err := t.Client.KV.Namespaces.Values.Delete(ctx, t.Namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(t.AccountID),
	})
	return err
}

// PutBulk writes up to 10,000 pairs in one request.
func (t Target) PutBulk(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := t.Client.KV.Namespaces.Bulk.Update(ctx, t.Namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(t.AccountID),
		Body:      body,
	})
	return err
}

// Pair builds one bulk pair with a lifetime (0 for none).
func Pair(key, value string, ttl time.Duration) kv.NamespaceBulkUpdateParamsBody {
	p := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(key), Value: cloudflare.F(value)}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return p
}
