// Package edgekv wraps the v6 Cloudflare client for the dispatch service and
// the admin CLI. The SDK's namespace service is embedded, so Values, Keys and
// the bulk methods are reachable on a Namespace directly.
package edgekv

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
)

// Client is the v6 Cloudflare client.
type Client = cloudflare.Client

// Namespace is one KV namespace in one account.
type Namespace struct {
	*kv.NamespaceService
	AccountID string
	ID        string
}

// New builds a client from an API token and binds it to one namespace.
func New(token, accountID, namespaceID string) *Namespace {
	c := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2))
	return &Namespace{NamespaceService: c.KV.Namespaces, AccountID: accountID, ID: namespaceID}
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Read returns the value under key; ok is false when the key does not exist.
func (n *Namespace) Read(ctx context.Context, key string) (val []byte, ok bool, err error) {
	res, err := n.Values.Get(ctx, n.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.AccountID)})
	if err != nil {
		if IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("kv read %s: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Write stores value under key. A zero ttl means no expiry.
func (n *Namespace) Write(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := n.Values.Update(ctx, n.ID, key, params); err != nil {
		return fmt.Errorf("kv write %s: %w", key, err)
	}
	return nil
}

// Remove deletes key.
func (n *Namespace) Remove(ctx context.Context, key string) error {
	_, err := n.Values.Delete(ctx, n.ID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.AccountID)})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv remove %s: %w", key, err)
	}
	return nil
}
