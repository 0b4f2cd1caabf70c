//go:build js && wasm

package edgeapi

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
	"kittiwake/internal/session"
)

var errNameTaken = errors.New("display name taken")

// FetchProfile loads a profile from the account service. main sets it.
var FetchProfile func(ctx context.Context, id string) ([]byte, error)

const defaultAvatar = "https://cdn.kittiwake.example/avatars/default.png"

// profile returns a player's public profile, read through the KV cache.
func profile(ctx context.Context, id string) ([]byte, error) {
	key := keys.KindProfile.Key(id)
	v, err := edgekv.Game.GetString(key, &kv.GetOptions{CacheTTL: edgekv.CacheTTL})
	if err != nil {
		return nil, err
	}
	if !edgekv.IsNull(v) {
		return []byte(v), nil
	}
	raw, err := FetchProfile(ctx, id)
	if err != nil {
		return nil, err
	}
	opts := &kv.PutOptions{ExpirationTTL: int(cfg.KV.TTL.Profile.Seconds())}
	if err := edgekv.Game.PutString(key, string(raw), opts); err != nil {
		log.Printf("profile cache %s: %v", id, err)
	}
	return raw, nil
}

func avatar(id string) string {
	v, err := edgekv.Game.GetString(keys.Key("avatar", id), &kv.GetOptions{CacheTTL: 3600})
	if err != nil || v == "" { // EXPECT kvnull
		return defaultAvatar
	}
	return v
}

func playerProfile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	raw, err := profile(r.Context(), id)
	var p map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err == nil {
		p["avatar"] = avatar(id)
	}
	respond(w, http.StatusOK, p, err)
}

// reserveName gives a display name to a player unless someone else has it.
func reserveName(player, name string) error {
	key := keys.KindName.Key(strings.ToLower(name))
	owner, err := edgekv.Game.GetString(key, nil)
	if err != nil {
		return err
	}
	if !edgekv.IsNull(owner) && owner != player {
		return errNameTaken
	}
	return edgekv.Game.PutString(key, player, nil) // EXPECT kvrace
}

func claimName(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var body struct{ Name string }
	if !decode(w, r, &body) {
		return
	}
	if n := utf8.RuneCountInString(body.Name); n < 3 || n > 24 {
		http.Error(w, "names are 3 to 24 characters", http.StatusBadRequest)
		return
	}
	respond(w, http.StatusNoContent, nil, reserveName(s.PlayerID, body.Name))
}
