// Package cfkv holds the process-wide Cloudflare client and the namespace
// handle the services share.
package cfkv

import (
	"errors"
	"net/http"
	"os"
	"sync"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

var (
	once   sync.Once
	client *cloudflare.Client
)

// Client returns the shared API client, created on first use from
// CLOUDFLARE_API_TOKEN.
func Client() *cloudflare.Client {
	once.Do(func() {
		client = cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	})
	return client
}

// Namespace identifies one KV namespace in one account.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// Values is a shortcut for the values service.
func (n Namespace) Values() *kv.NamespaceValueService { return n.Client.KV.Namespaces.Values }

// Keys is a shortcut for the keys service.
func (n Namespace) Keys() *kv.NamespaceKeyService { return n.Client.KV.Namespaces.Keys }

// GetParams returns the account-scoped params for a value read.
func (n Namespace) GetParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.AccountID)}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
