package kvsession

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// botTokens caches a chat platform's bot tokens, refreshed from the
// platform when the cached one is missing or near its expiry.
type botTokens struct {
	api      *cloudflare.API
	rc       *cloudflare.ResourceContainer
	ns       string
	exchange func(ctx context.Context, refresh string) (access, next string, err error)
}

type botToken struct {
	Token   string
	Expires time.Time
}

func (b *botTokens) read(ctx context.Context, key string, v any) error {
	raw, err := b.api.GetWorkersKV(ctx, b.rc, cloudflare.GetWorkersKVParams{NamespaceID: b.ns, Key: key})
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (b *botTokens) write(ctx context.Context, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = b.api.WriteWorkersKVEntry(ctx, b.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: b.ns, Key: key, Value: raw})
	return err
}

// AccessToken hands on the cached token while it is fresh, and calls
// rotate when it is missing or stale.
func (b *botTokens) AccessToken(ctx context.Context, team string) (string, error) { // want AccessToken:"^kvsession$" AccessToken:"kvsession judged inside"
	var at botToken
	if err := b.read(ctx, "bot:access:"+team, &at); err == nil && time.Until(at.Expires) > time.Minute {
		return at.Token, nil
	}
	return b.rotate(ctx, team)
}

// Quiet at the access token: the platform's token, fetched anew where
// the cached one was missing or stale, is a cache's fill; other
// locations hold an older token that the platform still accepts. The
// refresh token, single use, is rewritten over the one read.
func (b *botTokens) rotate(ctx context.Context, team string) (string, error) { // want rotate:"^kvsession$" rotate:"kvsession judged inside"
	var refresh string
	if err := b.read(ctx, "bot:refresh:"+team, &refresh); err != nil {
		return "", err
	}
	access, next, err := b.exchange(ctx, refresh)
	if err != nil {
		return "", err
	}
	if err := b.write(ctx, "bot:refresh:"+team, next); err != nil { // want `A refresh token read, changed and written back in KV`
		return "", err
	}
	return access, b.write(ctx, "bot:access:"+team, botToken{Token: access, Expires: time.Now().Add(time.Hour)})
}

// A token of this service's own rotated, with no cache read before it:
// the old one stays valid at other locations.
func (b *botTokens) rotateOwn(ctx context.Context, team, token string) error { // want rotateOwn:"kvsession"
	return b.write(ctx, "bot:access:"+team, botToken{Token: token, Expires: time.Now().Add(time.Hour)}) // want `A token overwritten in KV`
}

func (b *botTokens) rotateHandler(w http.ResponseWriter, r *http.Request) { // want rotateHandler:"kvsession"
	if err := b.rotateOwn(r.Context(), r.PathValue("team"), r.FormValue("token")); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}
