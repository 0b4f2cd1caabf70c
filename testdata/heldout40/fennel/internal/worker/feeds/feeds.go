//go:build js && wasm

// Package feeds serves private RSS feeds. Each paying subscriber gets their
// own feed URL carrying a token; the token maps to a grant in KV.
package feeds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/podloft/fennel/internal/edgekv"
	"github.com/podloft/fennel/internal/keys"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	renderTTL  = 5 * time.Minute
	previewTTL = 30 * time.Second
)

var ErrUnknownToken = errors.New("feeds: unknown or revoked token")

// Grant is the record behind a private feed token.
type Grant struct {
	Show       keys.ShowID
	Subscriber string
	Tier       string
	Issued     time.Time
}

// Settings are per-show feed options set in the creator dashboard.
type Settings struct {
	Title      string `json:"title"`
	EarlyHours int    `json:"early_access_hours"`
	AdFree     bool   `json:"ad_free"`
}

// tokenKey is the string form of keys.FeedTokenKey, for the generic loaders.
type tokenKey string

func tokenKeyOf(show keys.ShowID, token string) tokenKey {
	return tokenKey(keys.FeedTokenKey{Show: show, Token: token}.String())
}

// Feeds serves and manages private feeds.
type Feeds struct {
	*edgekv.Store
	origin string
	client *fetch.Client
}

// New returns a Feeds over the feeds namespace; origin renders the XML.
func New(store *edgekv.Store, origin string) *Feeds {
	return &Feeds{Store: store, origin: origin, client: fetch.NewClient()}
}

// Mint creates a new private feed token for a subscriber.
func (f *Feeds) Mint(show keys.ShowID, subscriber, tier string) (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b)
	g := Grant{Show: show, Subscriber: subscriber, Tier: tier, Issued: time.Now().UTC()}
	if err := edgekv.Save(f.Store, tokenKeyOf(show, tok), g, 0); err != nil {
		return "", err
	}
	return tok, nil
}

// Resolve returns the grant for a token presented in a feed URL.
func (f *Feeds) Resolve(show keys.ShowID, token string) (*Grant, error) {
	g, ok, err := edgekv.Load[tokenKey, Grant](f.Store, tokenKeyOf(show, token))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrUnknownToken
	}
	return &g, nil
}

// ResolveFresh is Resolve for the download redirector, where a revoked token
// must stop working quickly.
func (f *Feeds) ResolveFresh(show keys.ShowID, token string) (bool, error) {
	raw, err := f.Namespace().GetString(string(tokenKeyOf(show, token)), &kv.GetOptions{
		CacheTTL: 20, // EXPECT kvttl
	})
	if err != nil {
		return false, err
	}
	return raw != "<null>", nil
}

// Revoke disables one subscriber token.
func (f *Feeds) Revoke(show keys.ShowID, token string) error {
	return f.Delete(keys.FeedTokenKey{Show: show, Token: token}) // EXPECT kvsession
}

// RevokeAll disables every token of a show, e.g. when the show goes free.
func (f *Feeds) RevokeAll(show keys.ShowID) (int, error) {
	res, err := f.Namespace().List(&kv.ListOptions{Prefix: keys.FeedTokens.Under(show)}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range res.Keys {
		if err := f.Namespace().Delete(k.Name); err != nil { // EXPECT kvsession
			return n, err
		}
		n++
	}
	return n, nil
}

// TokenPage lists one page of a show's tokens for the dashboard; the caller
// passes the returned cursor back to get the next page.
func (f *Feeds) TokenPage(show keys.ShowID, cursor string) ([]string, string, error) {
	res, err := f.Namespace().List(&kv.ListOptions{
		Prefix: keys.FeedTokens.Under(show),
		Cursor: cursor,
		Limit:  100,
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		out = append(out, keys.FeedTokens.Trim(k.Name))
	}
	if res.ListComplete {
		return out, "", nil
	}
	return out, res.Cursor, nil
}

// settings reads the show's feed settings.
func (f *Feeds) settings(show keys.ShowID) (Settings, error) {
	var s Settings
	raw, err := f.Namespace().GetString("feedcfg:"+string(show), nil) // EXPECT kvnull
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("feeds: settings for %s: %w", show, err)
	}
	return s, nil
}

// Render returns the feed XML for a grant, cached per show and tier.
func (f *Feeds) Render(ctx context.Context, g *Grant) (string, error) {
	cacheKey := keys.FeedRender.Under(g.Show) + g.Tier
	cached, err := f.Namespace().GetString(cacheKey, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return "", err
	}
	if cached != "<null>" {
		return cached, nil
	}

	st, err := f.settings(g.Show)
	if err != nil {
		return "", err
	}
	url := fmt.Sprintf("%s/render/%s?tier=%s&adfree=%t", f.origin, g.Show, g.Tier, st.AdFree)
	req, err := fetch.NewRequest(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := f.client.Do(req, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("feeds: origin render %s: %s", g.Show, resp.Status)
	}
	var sb strings.Builder
	if _, err := io.Copy(&sb, resp.Body); err != nil {
		return "", err
	}
	xml := sb.String()
	if err := f.Namespace().PutString(cacheKey, xml, &kv.PutOptions{ExpirationTTL: int(renderTTL.Seconds())}); err != nil {
		return "", err
	}
	return xml, nil
}

// SharePreview stores a short-lived preview grant the creator can send to a
// guest before an episode is public.
func (f *Feeds) SharePreview(show keys.ShowID, ep keys.EpisodeID) (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b)
	val := string(show) + "/" + string(ep)
	if err := f.Put(keys.Static(keys.Preview.With(tok)), val, previewTTL); err != nil {
		return "", err
	}
	return tok, nil
}
