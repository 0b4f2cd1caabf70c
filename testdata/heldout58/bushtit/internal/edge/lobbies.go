//go:build js && wasm

package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"
	"github.com/syumai/workers/cloudflare"
)

const (
	lobbyCacheFor = 5 * time.Minute
	lobbyPrefix   = "lobby/lobby:"
)

type lobbySummary struct {
	ID      string `json:"id"`
	Mode    string `json:"mode"`
	Region  string `json:"region"`
	Members []any  `json:"members"`
	Private bool   `json:"private"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// lookupLobby serves GET /lobby/{id}.
func (e *Env) lookupLobby(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	raw, err := text(e.Lobbies, lobbyPrefix+id, lobbyCacheFor)
	if errors.Is(err, errMissing) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}

// resolveInvite serves GET /invite/{code}: the code maps to a lobby id.
func (e *Env) resolveInvite(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(chi.URLParam(r, "code"))
	id, err := e.Lobbies.GetString("lobby/invite:"+code, &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if id == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "/lobby/"+id, http.StatusFound)
}

// lobbyCard serves GET /lobby/{id}/card, a small rendering for chat embeds.
func (e *Env) lobbyCard(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	cardKey := "card:" + id
	if card, err := text(e.Lobbies, cardKey, time.Minute); err == nil {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(card))
		return
	}
	raw, err := e.Lobbies.GetString(lobbyPrefix+id, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var l lobbySummary
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		http.Error(w, "bad lobby", http.StatusInternalServerError)
		return
	}
	card := fmt.Sprintf("<b>%s</b> · %s · %d players", l.Mode, l.Region, len(l.Members))
	_ = e.Lobbies.PutString(cardKey, card, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(lobbyCacheFor)}) // EXPECT kvttl
	w.Header().Set("Content-Type", "text/html")
	_, _ = w.Write([]byte(card))
}

// browse serves GET /browse: the public lobbies in the player's region.
func (e *Env) browse(w http.ResponseWriter, r *http.Request) {
	res, err := e.Lobbies.List(&cloudflare.KVNamespaceListOptions{Prefix: lobbyPrefix, Limit: 1000}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	region := r.Header.Get("CF-IPCountry")
	var out []lobbySummary
	lo.ForEach(res.Keys, func(k *cloudflare.KVNamespaceListKey, _ int) {
		raw, err := text(e.Lobbies, k.Name, lobbyCacheFor) // EXPECT kvlist
		if err != nil {
			return
		}
		var l lobbySummary
		if json.Unmarshal([]byte(raw), &l) == nil && !l.Private && regionMatches(l.Region, region) {
			out = append(out, l)
		}
	})
	writeJSON(w, http.StatusOK, out)
}

// browsePage serves GET /browse/page: one page of lobby ids and the cursor.
func (e *Env) browsePage(w http.ResponseWriter, r *http.Request) {
	res, err := e.Lobbies.List(&cloudflare.KVNamespaceListOptions{
		Prefix: lobbyPrefix,
		Limit:  100,
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	ids := lo.Map(res.Keys, func(k *cloudflare.KVNamespaceListKey, _ int) string {
		return strings.TrimPrefix(k.Name, lobbyPrefix)
	})
	writeJSON(w, http.StatusOK, map[string]any{"ids": ids, "cursor": lo.Ternary(res.ListComplete, "", res.Cursor)})
}

// claimName serves POST /names/{slug}: streamers reserve a lobby name.
func (e *Env) claimName(w http.ResponseWriter, r *http.Request) {
	slug := strings.ToLower(chi.URLParam(r, "slug"))
	owner := r.Header.Get("X-Player-ID")
	key := "lobbyname:" + slug
	current, err := e.Lobbies.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if current != missing && current != owner {
		http.Error(w, "name taken", http.StatusConflict)
		return
	}
	if err := e.Lobbies.PutString(key, owner, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// spectate serves POST /lobby/{id}/spectate: a short-lived pass that lets a
// viewer attach to the match stream.
func (e *Env) spectate(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	pass := newToken()
	if err := e.Lobbies.PutString("spectate:"+pass, id, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 30}); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"pass": pass})
}

// replay serves POST /lobby/{id}/replay: a replay link valid for an hour.
func (e *Env) replay(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	link := newToken()
	exp := time.Now().Add(time.Hour).Unix()
	if err := e.Lobbies.PutString("replay:"+link, id, &cloudflare.KVNamespacePutOptions{Expiration: int(exp)}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"link": link, "expires": exp})
}

func regionMatches(lobbyRegion, country string) bool {
	if country == "" {
		return true
	}
	continent := map[string]string{"DE": "eu", "FR": "eu", "GB": "eu", "US": "na", "CA": "na", "JP": "ap", "AU": "ap"}
	return lo.ValueOr(continent, country, lobbyRegion) == lobbyRegion
}
