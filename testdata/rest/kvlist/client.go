package kvlist

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// An admin client whose requests go through one helper that decodes the
// API's envelope into out and returns the listing's cursor.
type admin struct {
	account, namespace string
	hc                 *http.Client
}

func (a *admin) endpoint(parts ...string) string {
	return "https://api.cloudflare.com/client/v4/accounts/" + url.PathEscape(a.account) +
		"/storage/kv/namespaces/" + url.PathEscape(a.namespace) + "/" + strings.Join(parts, "/")
}

type envelope struct {
	Result     json.RawMessage `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

func (a *admin) call(ctx context.Context, method, u string, body io.Reader, out any) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return "", err
	}
	res, err := a.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var env envelope
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return "", err
	}
	if out != nil {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return "", err
		}
	}
	return env.ResultInfo.Cursor, nil
}

type listedKey struct {
	Name string `json:"name"`
}

// keyPage is one page of a listing; Cursor is "" on the last page.
type keyPage struct {
	Keys   []listedKey
	Cursor string
}

func (a *admin) listKeys(ctx context.Context, prefix, cursor string, limit int) (keyPage, error) {
	q := url.Values{}
	q.Set("prefix", prefix)
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	q.Set("limit", strconv.Itoa(limit))
	var keys []listedKey
	next, err := a.call(ctx, http.MethodGet, a.endpoint("keys")+"?"+q.Encode(), nil, &keys)
	if err != nil {
		return keyPage{}, err
	}
	return keyPage{Keys: keys, Cursor: next}, nil
}

// Every page, to the end, with no budget.
func (a *admin) exportAll(ctx context.Context, prefix string, w io.Writer) error { // want exportAll:"kvlist"
	cursor := ""
	for {
		page, err := a.listKeys(ctx, prefix, cursor, 1000) // want `unbounded listing`
		if err != nil {
			return err
		}
		names := make([]string, len(page.Keys))
		for i, k := range page.Keys {
			names[i] = k.Name
		}
		for batch := range slices.Chunk(names, 100) {
			if _, err := io.WriteString(w, strings.Join(batch, "\n")); err != nil {
				return err
			}
		}
		if page.Cursor == "" {
			return nil
		}
		cursor = page.Cursor
	}
}

// Quiet: a budget of pages.
func (a *admin) exportSome(ctx context.Context, prefix string, w io.Writer, pages int) error {
	cursor := ""
	for range pages {
		page, err := a.listKeys(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			io.WriteString(w, k.Name+"\n")
		}
		if page.Cursor == "" {
			return nil
		}
		cursor = page.Cursor
	}
	return nil
}

// Quiet: the body of a range over a function leaves the loop when it
// finds the name: a search, which may stop early.
func (a *admin) findKey(ctx context.Context, prefix, name string) (bool, error) {
	cursor := ""
	for {
		page, err := a.listKeys(ctx, prefix, cursor, 1000)
		if err != nil {
			return false, err
		}
		for k := range slices.Values(page.Keys) {
			if k.Name == name {
				return true, nil
			}
		}
		if page.Cursor == "" {
			return false, nil
		}
		cursor = page.Cursor
	}
}
