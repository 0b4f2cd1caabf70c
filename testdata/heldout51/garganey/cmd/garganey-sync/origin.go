package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// origin is the read side of the platform database, reached over its
// internal HTTP API.
type origin struct {
	base string
	hc   *http.Client
}

func (o *origin) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("origin %s: %s", path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func getJSON[T any](ctx context.Context, o *origin, path string, q url.Values) (T, error) {
	var out T
	b, err := o.get(ctx, path, q)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	return out, err
}

// ActiveShows and RenderFeed implement episodes.Source.
func (o *origin) ActiveShows(ctx context.Context) ([]string, error) {
	return getJSON[[]string](ctx, o, "/internal/shows/active", nil)
}

func (o *origin) RenderFeed(ctx context.Context, show string) ([]byte, error) {
	return o.get(ctx, "/internal/render/feeds/"+url.PathEscape(show), nil)
}

// Country implements analytics.Geo.
func (o *origin) Country(ctx context.Context, ip string) (string, error) {
	out, err := getJSON[struct{ Country string }](ctx, o, "/internal/geo", url.Values{"ip": {ip}})
	return out.Country, err
}

type change struct {
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value"`
	Deleted bool            `json:"deleted"`
}

type changeBatch struct {
	Changes []change `json:"changes"`
	LagMS   int64    `json:"lag_ms"`
}

type showStats struct {
	Show     string `json:"show"`
	Episodes int    `json:"episodes"`
	Minutes  int    `json:"minutes"`
}

func (o *origin) changes(ctx context.Context, consumer string) (changeBatch, error) {
	return getJSON[changeBatch](ctx, o, "/internal/changes", url.Values{"consumer": {consumer}})
}

func (o *origin) showStats(ctx context.Context) ([]showStats, error) {
	return getJSON[[]showStats](ctx, o, "/internal/shows/stats", nil)
}
