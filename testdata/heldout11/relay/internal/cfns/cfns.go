// Package cfns wraps the Cloudflare API client and the account / namespace
// identifiers that every direct Workers KV call needs.
package cfns

import (
	"errors"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// Namespace is one Workers KV namespace reached through the REST API.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// NewClient builds the shared API client.
func NewClient(token, baseURL string, extra ...option.RequestOption) *cloudflare.Client {
	opts := []option.RequestOption{
		option.WithAPIToken(token),
		option.WithMaxRetries(2),
		option.WithRequestTimeout(15 * time.Second),
	}
	if baseURL != "" {
		opts = append(opts, option.WithBaseURL(baseURL))
	}
	return cloudflare.NewClient(append(opts, extra...)...)
}

// Open returns the namespace id on client.
func Open(client *cloudflare.Client, accountID, namespaceID string) Namespace {
	return Namespace{Client: client, AccountID: accountID, ID: namespaceID}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// IsRateLimited reports a 429 from the API (too many writes to one key, or the
// account's API rate limit).
func IsRateLimited(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests
}
