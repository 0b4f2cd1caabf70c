// Package cfkv adapts Workers KV, over the Cloudflare REST API, to the storage port.
package cfkv

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/quill/internal/config"
)

// Client returns the process-wide Cloudflare client, created on first use.
var Client = sync.OnceValues(func() (*cloudflare.Client, error) {
	cfg := config.Current()
	if cfg.APIToken == "" {
		return nil, errors.New("cfkv: QUILL_CF_API_TOKEN is not set")
	}
	return cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithMaxRetries(3),
		option.WithHTTPClient(&http.Client{Timeout: 20 * time.Second}),
	), nil
})

// MustClient is Client for entry points that cannot run without one.
func MustClient() *cloudflare.Client {
	c, err := Client()
	if err != nil {
		panic(err)
	}
	return c
}

// IsNotFound reports whether err is the API's answer for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
