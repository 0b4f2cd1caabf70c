package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/arcade/internal/admin"
	"example.com/arcade/internal/auth"
	"example.com/arcade/internal/leaderboard"
	"example.com/arcade/internal/profile"
)

// origin talks to the accounts/stats service (D1 behind a service binding).
type origin struct{ hc *http.Client }

func newOrigin() *origin {
	c := fetch.NewClient(fetch.WithBinding(cloudflare.GetBinding("ORIGIN")))
	return &origin{hc: c.HTTPClient(fetch.RedirectModeError)}
}

func (o *origin) call(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://origin.internal"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := o.hc.Do(req)
	if err != nil {
		return fmt.Errorf("origin %s: %w", path, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		return auth.ErrBadPassword
	case res.StatusCode >= 300:
		return fmt.Errorf("origin %s: %s", path, res.Status)
	case out == nil:
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// post is call with the result type spelled out at the use site.
func post[T any](ctx context.Context, o *origin, path string, in any) (T, error) {
	var out T
	err := o.call(ctx, path, in, &out)
	return out, err
}

type m = map[string]any

func (o *origin) verify(ctx context.Context, email, password string) (string, error) {
	return post[string](ctx, o, "/accounts/verify", m{"email": email, "password": password})
}

func (o *origin) mint(playerID string) (string, error) {
	return post[string](context.Background(), o, "/tokens/access", m{"player": playerID})
}

func (o *origin) Card(ctx context.Context, id string) (profile.Card, error) {
	return post[profile.Card](ctx, o, "/stats/card", m{"player": id})
}

func (o *origin) Record(ctx context.Context, r leaderboard.Result) error {
	return o.call(ctx, "/scores/record", r, nil)
}

func (o *origin) Top(ctx context.Context, query, board string, season int) ([]leaderboard.Entry, error) {
	return post[[]leaderboard.Entry](ctx, o, "/scores/query", m{"sql": query, "params": []any{board, season, 0, 3}})
}

func (o *origin) document(ctx context.Context, name string) ([]byte, error) {
	return post[[]byte](ctx, o, "/cms/document", m{"name": name})
}

func (o *origin) playerIDs(ctx context.Context) ([]string, error) {
	return post[[]string](ctx, o, "/players/changed-since-yesterday", m{})
}

func (o *origin) searchDoc(ctx context.Context, id string) (admin.SearchDoc, error) {
	return post[admin.SearchDoc](ctx, o, "/players/search-doc", m{"player": id})
}
