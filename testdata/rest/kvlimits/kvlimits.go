// Package kvlimits holds kvlimits' cases on the KV REST API.
package kvlimits

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

const base = "https://api.cloudflare.com/client/v4/accounts/acc/storage/kv/namespaces/ns"

type keysPage struct {
	Result     []struct{ Name string } `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

func list(hc *http.Client, q url.Values) (keysPage, error) {
	var p keysPage
	resp, err := hc.Get(base + "/keys?" + q.Encode())
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	return p, json.NewDecoder(resp.Body).Decode(&p)
}

func recent(ctx context.Context, hc *http.Client, org string) (keysPage, error) {
	q := url.Values{"prefix": {"cert:" + org + ":"}}
	q.Set("limit", "5") // want `the KV REST API refuses a list Limit below 10, and this one is 5`
	resp, err := hc.Get(base + "/keys?" + q.Encode())
	if err != nil {
		return keysPage{}, err
	}
	defer resp.Body.Close()
	var p keysPage
	return p, json.NewDecoder(resp.Body).Decode(&p)
}

// Quiet: a page size the API takes.
func pageOf(ctx context.Context, hc *http.Client, org string) (keysPage, error) {
	q := url.Values{"prefix": {"cert:" + org + ":"}}
	q.Set("limit", "100")
	resp, err := hc.Get(base + "/keys?" + q.Encode())
	if err != nil {
		return keysPage{}, err
	}
	defer resp.Body.Close()
	var p keysPage
	return p, json.NewDecoder(resp.Body).Decode(&p)
}
