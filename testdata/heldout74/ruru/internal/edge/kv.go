//go:build js && wasm

// Package edge is the Cloudflare Worker in front of media.ruru.fm and
// feeds.ruru.fm: it redirects episode downloads to the media bucket, checks
// private-feed tokens, de-duplicates listeners and enforces download limits.
package edge

import (
	"io"
	"net/http"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

// binding is the KV namespace binding name in wrangler.toml.
const binding = "RURU_KV"

// missing is what GetString returns for a key that does not exist: the JS
// null rendered by syscall/js.
const missing = "<null>"

func namespace() (*kv.Namespace, error) { return kv.NewNamespace(binding) }

// lookup reads key with the given edge cache TTL; ok is false when the key
// does not exist.
func lookup(ns *kv.Namespace, key string, cacheTTL int) (value string, ok bool, err error) {
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: cacheTTL})
	if err != nil {
		return "", false, err
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// origin fetches a path from the publishing origin through the Workers
// fetch API.
func origin(r *http.Request, path string) ([]byte, int, error) {
	req, err := fetch.NewRequest(r.Context(), http.MethodGet, cloudflare.Getenv("ORIGIN_URL")+path, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return body, resp.StatusCode, err
}
