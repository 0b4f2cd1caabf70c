// Package kvnull holds kvnull's cases on the KV REST API.
package kvnull

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"kvlint.test/rest/kvrest"
)

const base = "https://api.cloudflare.com/client/v4/accounts/acc/storage/kv/namespaces/ns"

type cert struct{ Serial, Name string }

// A 404 is a response, not an error: its JSON error body decodes into an
// empty certificate.
func lookup(ctx context.Context, hc *http.Client, serial string) (cert, error) {
	resp, err := hc.Get(base + "/values/" + url.PathEscape("cert:"+serial)) // want `a missing key comes back from the KV REST API as a 404 response`
	if err != nil {
		return cert{}, err
	}
	defer resp.Body.Close()
	var c cert
	err = json.NewDecoder(resp.Body).Decode(&c)
	return c, err
}

// Quiet: the status is looked at first.
func lookupChecked(ctx context.Context, hc *http.Client, serial string) (cert, bool, error) {
	resp, err := hc.Get(base + "/values/" + url.PathEscape("cert:"+serial))
	if err != nil {
		return cert{}, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return cert{}, false, nil
	}
	var c cert
	err = json.NewDecoder(resp.Body).Decode(&c)
	return c, true, err
}

// Quiet: the client tells a miss from a value.
func viaClient(ctx context.Context, c *kvrest.Client, serial string) (cert, bool, error) {
	raw, found, err := c.Get(ctx, "cert:"+serial)
	if err != nil || !found {
		return cert{}, false, err
	}
	var out cert
	return out, true, json.Unmarshal([]byte(raw), &out)
}

// A missing key's body is the API's JSON error, never empty.
func banOf(ctx context.Context, hc *http.Client, user string) ([]byte, error) {
	resp, err := hc.Get(base + "/values/" + url.PathEscape("ban:"+user))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 { // want `this miss check is never true: the KV REST API answers a missing key with a 404 response`
		return nil, nil
	}
	return body, nil
}
