//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/syumai/workers/cloudflare"
)

// githubJSON sends in as JSON and decodes the reply into out.
func githubJSON(ctx context.Context, url, token string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "kestrel")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("github: %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// githubGraphQL runs a query, with the Worker's own token when token is
// empty.
func githubGraphQL(ctx context.Context, token, query string, vars map[string]any) (json.RawMessage, error) {
	if token == "" {
		token = cloudflare.Getenv("GITHUB_TOKEN")
	}
	var out struct{ Data json.RawMessage }
	err := githubJSON(ctx, "https://api.github.com/graphql", token, map[string]any{"query": query, "variables": vars}, &out)
	return out.Data, err
}

// githubLogin trades an OAuth callback code for the user's login and
// primary organisation.
func githubLogin(ctx context.Context, code string) (user, org string, err error) {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = githubJSON(ctx, "https://github.com/login/oauth/access_token", "", map[string]string{
		"client_id": cloudflare.Getenv("GITHUB_CLIENT_ID"), "client_secret": cloudflare.Getenv("GITHUB_CLIENT_SECRET"), "code": code,
	}, &tok)
	if err != nil {
		return "", "", err
	}
	var me struct {
		Viewer struct {
			Login         string
			Organizations struct{ Nodes []struct{ Login string } }
		}
	}
	data, err := githubGraphQL(ctx, tok.AccessToken, `{ viewer { login organizations(first: 1) { nodes { login } } } }`, nil)
	if err == nil {
		err = json.Unmarshal(data, &me)
	}
	if err != nil {
		return "", "", err
	}
	if len(me.Viewer.Organizations.Nodes) > 0 {
		org = me.Viewer.Organizations.Nodes[0].Login
	}
	return me.Viewer.Login, org, nil
}
