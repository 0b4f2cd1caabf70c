// Package handlers holds the worker's HTTP handlers.
package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

const originBase = "https://origin.example.com"

// fetchOrigin loads a page from the origin server.
func fetchOrigin(ctx context.Context, path string) (string, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, originBase+path, nil)
	if err != nil {
		return "", nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("origin: %s", res.Status)
	}
	b, err := io.ReadAll(res.Body)
	return string(b), res.Header, err
}
