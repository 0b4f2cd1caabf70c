// Package edge is a thin helper over the generated Cloudflare SDK (v6) for
// services that touch a single KV namespace with text values.
package edge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrMissing is returned by Get for keys that do not exist.
var ErrMissing = errors.New("edge: key not found")

// KV is bound to one namespace of one account.
type KV struct {
	client  *cloudflare.Client
	account string
	ns      string
}

// NewClient builds an SDK client authenticated with an API token.
func NewClient(token string) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(token),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(20*time.Second),
	)
}

// New binds client to a namespace.
func New(client *cloudflare.Client, accountID, namespaceID string) *KV {
	return &KV{client: client, account: accountID, ns: namespaceID}
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the text value under key.
func (k *KV) Get(ctx context.Context, key string) (string, error) {
	res, err := k.client.KV.Namespaces.Values.Get(ctx, k.ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(k.account),
	})
	if err != nil {
		if IsNotFound(err) {
			return "", ErrMissing
		}
		return "", fmt.Errorf("edge get %q: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", fmt.Errorf("edge get %q: %w", key, err)
	}
	return string(b), nil
}

// Put stores value for ttl; anything below a minute is stored for a minute
// and a zero ttl means no expiration.
func (k *KV) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl == 0 {
		return k.PutSeconds(ctx, key, value, 0)
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return k.PutSeconds(ctx, key, value, ttl.Seconds())
}

// PutSeconds stores value for the given number of seconds (0: forever).
func (k *KV) PutSeconds(ctx context.Context, key, value string, seconds float64) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(k.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if seconds > 0 {
		params.ExpirationTTL = cloudflare.F(seconds)
	}
	if _, err := k.client.KV.Namespaces.Values.Update(ctx, k.ns, key, params); err != nil {
		return fmt.Errorf("edge put %q: %w", key, err)
	}
	return nil
}

// PutAt stores value until the given Unix time (seconds).
func (k *KV) PutAt(ctx context.Context, key, value string, unix int64) error {
	_, err := k.client.KV.Namespaces.Values.Update(ctx, k.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(k.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(unix)),
	})
	if err != nil {
		return fmt.Errorf("edge put %q: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (k *KV) Delete(ctx context.Context, key string) error {
	_, err := k.client.KV.Namespaces.Values.Delete(ctx, k.ns, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(k.account),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("edge delete %q: %w", key, err)
	}
	return nil
}

// TextValues extracts the string values of a bulk get issued with type
// "text". Keys that were not found are left out.
func TextValues(res *kv.NamespaceBulkGetResponse) map[string]string {
	out := make(map[string]string)
	plain, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return out
	}
	for name, v := range plain.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[name] = string(s)
		}
	}
	return out
}
