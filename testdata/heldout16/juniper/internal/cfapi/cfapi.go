// Package cfapi holds the Cloudflare API client and thin helpers over the
// Workers KV REST endpoints for packages that talk to a namespace directly.
package cfapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
)

// Namespace addresses one KV namespace in one account.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// NewClient returns an API client authenticated with token.
func NewClient(token string) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2))
}

// Bind returns the namespace id on client.
func Bind(client *cloudflare.Client, accountID, namespaceID string) Namespace {
	return Namespace{Client: client, AccountID: accountID, ID: namespaceID}
}

// GetBytes reads the raw value stored under key. A key that does not exist
// comes back as an API error with status 404 (see IsNotFound).
func (n Namespace) GetBytes(ctx context.Context, key string) ([]byte, error) {
	res, err := n.Client.KV.Namespaces.Values.Get(ctx, n.ID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetString is GetBytes for text values.
func (n Namespace) GetString(ctx context.Context, key string) (string, error) {
	b, err := n.GetBytes(ctx, key)
	return string(b), err
}

// Put writes value under key. ttlSeconds <= 0 means no expiry.
func (n Namespace) Put(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttlSeconds > 0 {
		params.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
	}
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, url.PathEscape(key), params)
	return err
}

// Delete removes key.
func (n Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.Client.KV.Namespaces.Values.Delete(ctx, n.ID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	return err
}

// IsNotFound reports whether err is the API's answer for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
