package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/leaderboard"
)

// internalClient talks JSON to the services the API depends on but does not
// own: accounts, the scores database and the match-maker.
type internalClient struct {
	base  string
	token string
	http  *http.Client
}

func (c *internalClient) do(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (c *internalClient) Verify(ctx context.Context, user, password string) (string, game.Plan, error) {
	var out struct {
		Player string    `json:"player"`
		Plan   game.Plan `json:"plan"`
	}
	err := c.do(ctx, http.MethodPost, "/v1/verify", map[string]string{"user": user, "password": password}, &out)
	return out.Player, out.Plan, err
}

func (c *internalClient) Top(ctx context.Context, season string, offset, n int) ([]leaderboard.Entry, error) {
	q := url.Values{"offset": {strconv.Itoa(offset)}, "n": {strconv.Itoa(n)}}
	var out []leaderboard.Entry
	err := c.do(ctx, http.MethodGet, "/v1/seasons/"+url.PathEscape(season)+"/top?"+q.Encode(), nil, &out)
	return out, err
}

func (c *internalClient) Record(ctx context.Context, season, player string, score int64) error {
	return c.do(ctx, http.MethodPost, "/v1/seasons/"+url.PathEscape(season)+"/scores",
		map[string]any{"player": player, "score": score}, nil)
}

func (c *internalClient) Enqueue(ctx context.Context, player, region string, tier game.Tier) (string, error) {
	var out struct {
		Ticket string `json:"ticket"`
	}
	err := c.do(ctx, http.MethodPost, "/v1/queue", map[string]any{"player": player, "region": region, "tier": tier}, &out)
	return out.Ticket, err
}
