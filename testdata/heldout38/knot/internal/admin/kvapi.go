// Package admin is the back-office service that manages the edge KV
// namespaces over the Cloudflare REST API.
package admin

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

	"github.com/boxoffice/knot/internal/retry"
)

// ErrNotFound is returned when a key does not exist.
var ErrNotFound = errors.New("admin: key not found")

// API is an authenticated client for one account.
type API struct {
	client  *cloudflare.Client
	account string
}

// NewAPI returns an API client using a scoped token.
func NewAPI(token, account string) *API {
	return &API{client: cloudflare.NewClient(option.WithAPIToken(token)), account: account}
}

// NamespaceID identifies a KV namespace; its methods call the REST API.
type NamespaceID string

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value stored under key.
func (n NamespaceID) Get(ctx context.Context, a *API, key string) ([]byte, error) {
	resp, err := a.client.KV.Namespaces.Values.Get(ctx, string(n), key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.account),
	})
	if isNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("admin: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes value under key, retrying on rate limits.
func (n NamespaceID) Put(ctx context.Context, a *API, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.account),
		Value:     cloudflare.F(value),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		_, err := a.client.KV.Namespaces.Values.Update(ctx, string(n), key, params)
		return err
	})
}

// Delete removes key.
func (n NamespaceID) Delete(ctx context.Context, a *API, key string) error {
	_, err := a.client.KV.Namespaces.Values.Delete(ctx, string(n), key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.account),
	})
	if isNotFound(err) {
		return nil
	}
	return err
}

// venuePolicy is shown on tickets and at the door.
const venuePolicy = "${POLICY}"
