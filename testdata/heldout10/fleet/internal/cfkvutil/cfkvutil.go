// Package cfkvutil has helpers shared by the packages that call the
// Cloudflare SDK directly instead of going through kvstore.
package cfkvutil

import (
	"errors"
	"net/http"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"

	"example.com/fleet/internal/kvstore"
)

// Target names the namespace a package talks to.
type Target struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// IsNotFound reports whether err is the REST API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// IsMissing accepts either an SDK 404 or the port's ErrNotFound.
func IsMissing(err error) bool {
	return IsNotFound(err) || errors.Is(err, kvstore.ErrNotFound)
}
