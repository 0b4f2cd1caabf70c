package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

// fetchOrigin GETs path from the origin API named by the ORIGIN_URL
// variable. It returns the body and how long the origin allows it to be
// cached (its Cache-Control max-age, zero when it sends none).
func fetchOrigin(ctx context.Context, path string) ([]byte, time.Duration, error) {
	base := strings.TrimSuffix(cloudflare.Getenv("ORIGIN_URL"), "/")
	req, err := fetch.NewRequest(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("origin %s: %s", path, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, err
	}
	return body, maxAge(resp.Header.Get("Cache-Control")), nil
}

// maxAge extracts max-age from a Cache-Control header value.
func maxAge(cacheControl string) time.Duration {
	for _, directive := range strings.Split(cacheControl, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(directive), "=")
		if !ok || !strings.EqualFold(name, "max-age") {
			continue
		}
		if secs, err := strconv.Atoi(value); err == nil && secs > 0 {
			return time.Duration(secs) * time.Second
		}
	}
	return 0
}

// writeJSON sends a JSON body that came from KV or the origin as is.
func writeJSON(w http.ResponseWriter, body []byte, source string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Served-From", source)
	w.Write(body)
}
