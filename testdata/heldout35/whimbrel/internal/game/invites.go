//go:build js && wasm

package game

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"whimbrel/internal/events"
	"whimbrel/internal/keys"
)

// Invite lets players join a private lobby.
type Invite struct {
	Code     string       `json:"code"`
	Lobby    keys.LobbyID `json:"lobby"`
	Creator  keys.UserID  `json:"creator"`
	MaxUses  int          `json:"max_uses"`
	Redeemed int          `json:"redeemed"`
	Expires  time.Time    `json:"expires"`
}

type createInviteRequest struct {
	Lobby   keys.LobbyID `json:"lobby"`
	Code    string       `json:"code,omitempty"`
	MaxUses int          `json:"max_uses"`
}

// handleCreateInvite issues an invite code, optionally a vanity one.
func (s *Server) handleCreateInvite() http.HandlerFunc {
	ttl := s.cfg.InviteTTL
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			writeErr(w, http.StatusUnauthorized, "no session")
			return
		}
		var req createInviteRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Lobby == "" {
			writeErr(w, http.StatusBadRequest, "invalid invite")
			return
		}
		if req.MaxUses <= 0 {
			req.MaxUses = 10
		}
		inv := Invite{Lobby: req.Lobby, Creator: sess.User, MaxUses: req.MaxUses, Expires: time.Now().Add(ttl)}
		if req.Code != "" {
			inv.Code = strings.ToUpper(req.Code)
			if _, taken, err := s.game.Get(keys.InviteKey(inv.Code)); err != nil || taken {
				writeErr(w, http.StatusConflict, "code unavailable")
				return
			}
			b, _ := json.Marshal(inv)
			if err := s.game.PutFor(keys.InviteKey(inv.Code), string(b), ttl); err != nil { // EXPECT kvrace
				writeErr(w, http.StatusBadGateway, "invite failed")
				return
			}
		} else {
			inv.Code = strings.ToUpper(newID(4))
			b, _ := json.Marshal(inv)
			if err := s.game.PutFor(keys.InviteKey(inv.Code), string(b), ttl); err != nil {
				writeErr(w, http.StatusBadGateway, "invite failed")
				return
			}
		}
		pending := "invite/pending/" + string(sess.User)
		_ = s.raw().PutString(pending, inv.Code, &kv.PutOptions{ExpirationTTL: 30}) // EXPECT kvttl
		writeJSON(w, http.StatusCreated, inv)
	}
}

// handleRedeemInvite joins the caller to the invite's lobby.
func (s *Server) handleRedeemInvite() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			writeErr(w, http.StatusUnauthorized, "no session")
			return
		}
		key := keys.InviteKey(r.PathValue("code"))
		var inv Invite
		if err := s.game.GetJSON(key, &inv); err != nil {
			writeErr(w, http.StatusNotFound, "unknown invite")
			return
		}
		if inv.Redeemed >= inv.MaxUses || time.Now().After(inv.Expires) {
			writeErr(w, http.StatusGone, "invite used up")
			return
		}
		inv.Redeemed++
		b, _ := json.Marshal(inv)
		if err := s.raw().PutString(key, string(b), &kv.PutOptions{Expiration: int(inv.Expires.Unix())}); err != nil { // EXPECT kvcounter|kvrace
			writeErr(w, http.StatusBadGateway, "redeem failed")
			return
		}
		_ = s.bus.Emit(events.InviteRedeemed, InviteRedeemedEvent{Code: inv.Code, Lobby: inv.Lobby, User: sess.User})
		writeJSON(w, http.StatusOK, inv)
	}
}

// handlePreviewInvite renders the link-unfurl card for an invite.
func (s *Server) handlePreviewInvite() http.HandlerFunc {
	c := s.cfg
	c.CacheTTL = 20 * time.Second
	card := s.cfg
	card.CacheTTL = 15 * time.Second
	return func(w http.ResponseWriter, r *http.Request) {
		code := strings.ToUpper(r.PathValue("code"))
		ckey := "preview/" + code
		if v, ok, err := s.game.Get(ckey); err == nil && ok {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(v))
			return
		}
		var inv Invite
		if err := s.game.GetJSON(keys.InviteKey(code), &inv); err != nil {
			writeErr(w, http.StatusNotFound, "unknown invite")
			return
		}
		page := fmt.Sprintf(`<meta property="og:title" content="Join lobby %s"><p>%d of %d seats taken</p>`,
			html.EscapeString(string(inv.Lobby)), inv.Redeemed, inv.MaxUses)
		_ = s.game.PutCached(ckey, page, c.CacheTTL)
		_ = s.game.PutFor("preview/card/"+code, inv.Code+"|"+string(inv.Lobby), card.CacheTTL) // EXPECT kvttl
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(page))
	}
}
