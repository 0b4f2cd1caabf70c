//go:build js && wasm

// Package invite lets players invite friends into their lobby. Invites live
// in the session namespace next to the players' sessions.
package invite

import (
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/lanternforge/waxwing/internal/edgekv"
	"github.com/lanternforge/waxwing/internal/keys"
	"github.com/lanternforge/waxwing/internal/session"
)

const (
	inviteLifetime = 24 * time.Hour
	perMinute      = 10
	outboxPageSize = 100
)

// Invite is the record behind an invite token.
type Invite struct {
	Token   string    `json:"token"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Lobby   string    `json:"lobby"`
	Expires time.Time `json:"expires"`
}

// Handler serves the invite routes.
type Handler struct {
	Log *slog.Logger
}

// begin binds the namespace and resolves the signed-in player.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request) (*edgekv.Logged, *session.Session) {
	kv, err := session.Open(h.Log)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return nil, nil
	}
	return kv, session.Require(kv, w, r)
}

// Send serves POST /invites.
func (h *Handler) Send(w http.ResponseWriter, r *http.Request) {
	kv, s := h.begin(w, r)
	if s == nil {
		return
	}
	to, lobby := r.FormValue("to"), r.FormValue("lobby")
	rateKey := keys.Invites.Child("rate").With(s.Player).Child(time.Now().UTC().Format("200601021504")).String()
	sent := 0
	if v, ok, err := kv.Get(rateKey); err == nil && ok {
		sent, _ = strconv.Atoi(v)
	}
	if sent >= perMinute {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if err := kv.Put(rateKey, strconv.Itoa(sent+1), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		h.Log.Warn("invite rate", "err", err)
	}

	inv := Invite{Token: rand.Text(), From: s.Player, To: to, Lobby: lobby, Expires: time.Now().Add(inviteLifetime)}
	body, _ := json.Marshal(inv)
	err := kv.Store().Namespace().PutString(keys.Invites.Child("token").With(inv.Token).String(), string(body), &cloudflare.KVNamespacePutOptions{
		Expiration: int(inv.Expires.UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if err := kv.Put(keys.Invites.Child("sent").With(s.Player).With(inv.Token).String(), to, inviteLifetime); err != nil {
		h.Log.Warn("invite outbox", "err", err)
	}
	inboxKey := keys.Invites.Child("inbox").With(to).String()
	if inbox, found, err := kv.Get(inboxKey); err == nil {
		if found {
			inbox += ","
		}
		if err := kv.Put(inboxKey, inbox+inv.Token, inviteLifetime); err != nil { // EXPECT kvrace
			h.Log.Warn("invite inbox", "err", err)
		}
	}
	if err := kv.Put(keys.Invites.Child("recent").String(), inv.Token, 0); err != nil { // EXPECT kvhotkey
		h.Log.Warn("recent invite", "err", err)
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]string{"token": inv.Token})
}

// Accept serves POST /invites/{token}/accept. It consumes the invite and
// returns the lobby to join.
func (h *Handler) Accept(w http.ResponseWriter, r *http.Request) {
	kv, s := h.begin(w, r)
	if s == nil {
		return
	}
	key := keys.Invites.Child("token").With(r.PathValue("token")).String()
	raw, ok, err := kv.Get(key)
	var inv Invite
	if err != nil || !ok || json.Unmarshal([]byte(raw), &inv) != nil || inv.To != s.Player {
		http.Error(w, "no such invite", http.StatusNotFound)
		return
	}
	if err := kv.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"lobby": inv.Lobby})
}

// Outbox serves GET /invites/sent: the open invites the player has sent.
func (h *Handler) Outbox(w http.ResponseWriter, r *http.Request) {
	kv, s := h.begin(w, r)
	if s == nil {
		return
	}
	prefix := keys.Invites.Child("sent").With(s.Player).Prefix()
	res, err := kv.List(prefix, "", outboxPageSize) // EXPECT kvlist
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	tokens := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		tokens = append(tokens, strings.TrimPrefix(k.Name, prefix))
	}
	json.NewEncoder(w).Encode(map[string]any{"open": len(tokens), "tokens": tokens})
}
