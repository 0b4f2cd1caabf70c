// Package origin is a thin client for the Bittern origin API, the source of
// truth for shows, episodes, plans, creators and analytics.
package origin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Client talks to the origin API.
type Client struct {
	Base  string
	Token string
}

// Default is the client the Worker uses; its entry point sets the token.
var Default = &Client{Base: "https://origin.bittern.fm"}

// Get decodes the JSON answer of the endpoint at path into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("origin: GET %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// Fetch is Get for a single typed record.
func Fetch[T any](ctx context.Context, path string) (T, error) {
	var v T
	err := Default.Get(ctx, path, &v)
	return v, err
}

// Path joins a collection and an escaped id.
func Path(collection, id string) string { return "/v1/" + collection + "/" + url.PathEscape(id) }
