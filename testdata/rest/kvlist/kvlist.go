// Package kvlist holds kvlist's cases on the KV REST API.
package kvlist

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

// Only the first page, and nothing looks at the cursor.
func orgKeys(ctx context.Context, hc *http.Client, org string) ([]string, error) { // want orgKeys:"kvlist"
	resp, err := hc.Get(base + "/keys?prefix=" + url.QueryEscape("org:"+org+":")) // want `only the first page of this list is used`
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var p keysPage
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return nil, err
	}
	var names []string
	for _, k := range p.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// Quiet: one page, with its cursor handed back.
func page(ctx context.Context, hc *http.Client, prefix, cursor string) ([]string, string, error) {
	q := url.Values{"prefix": {prefix}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	resp, err := hc.Get(base + "/keys?" + q.Encode())
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	var p keysPage
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return nil, "", err
	}
	var names []string
	for _, k := range p.Result {
		names = append(names, k.Name)
	}
	return names, p.ResultInfo.Cursor, nil
}
