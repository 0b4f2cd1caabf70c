package telemetry

import (
	"errors"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v4"
)

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
