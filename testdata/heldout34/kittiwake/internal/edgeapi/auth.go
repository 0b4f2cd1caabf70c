//go:build js && wasm

package edgeapi

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
	"kittiwake/internal/session"
)

const maxLoginFailures = 5

// Calls to the account service. main sets them.
var (
	VerifyPassword func(ctx context.Context, player, password string) (bool, error)
	SetPassword    func(ctx context.Context, player, password string) error
	SendMail       func(ctx context.Context, to, subject, body string) error
)

// authed resolves the caller's session before calling h.
func authed(h func(http.ResponseWriter, *http.Request, *session.Session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		s, err := sessions.Get(tok)
		if err != nil {
			fail(w, err)
			return
		}
		if err := sessions.Touch(s); err != nil {
			log.Printf("touch session: %v", err)
		}
		h(w, r, s)
	})
}

func attemptsKey(player string) string { return keys.Key("auth", "attempts", player) }

func failures(player string) (int, error) {
	v, err := edgekv.Sessions.GetString(attemptsKey(player), nil)
	if err != nil || edgekv.IsNull(v) {
		return 0, err
	}
	return strconv.Atoi(v)
}

func recordFailure(player string, prev int) error {
	opts := &kv.PutOptions{ExpirationTTL: int((15 * time.Minute).Seconds())}
	return edgekv.Sessions.PutString(attemptsKey(player), strconv.Itoa(prev+1), opts) // EXPECT kvcounter
}

func login(w http.ResponseWriter, r *http.Request) {
	var req struct{ Player, Password, Region, Platform string }
	if !decode(w, r, &req) {
		return
	}
	n, err := failures(req.Player)
	if err != nil {
		fail(w, err)
		return
	}
	if n >= maxLoginFailures {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	ok, err := VerifyPassword(r.Context(), req.Player, req.Password)
	if err != nil {
		fail(w, err)
		return
	}
	if !ok {
		if err := recordFailure(req.Player, n); err != nil {
			log.Printf("record failure: %v", err)
		}
		http.Error(w, "incorrect player or password", http.StatusUnauthorized)
		return
	}
	issue(w, req.Player, req.Region, req.Platform)
}

func issue(w http.ResponseWriter, player, region, platform string) {
	s, refreshTok, err := sessions.Create(player, region, platform)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"session": s.ID, "refresh": refreshTok, "expires": s.CreatedAt.Add(cfg.KV.TTL.Session).Unix(),
	})
}

func refresh(w http.ResponseWriter, r *http.Request) {
	var body struct{ Refresh string }
	if !decode(w, r, &body) {
		return
	}
	next, s, err := sessions.Rotate(body.Refresh)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"session": s.ID, "refresh": next})
}

func requestCode(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email string }
	if !decode(w, r, &body) || !strings.Contains(body.Email, "@") {
		return
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n.Int64())
	if err := sessions.IssueCode(body.Email, code); err != nil {
		fail(w, err)
		return
	}
	if err := SendMail(r.Context(), body.Email, "Your kittiwake sign-in code", "Your code is "+code); err != nil {
		log.Printf("send code: %v", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func redeemCode(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email, Code, Region string }
	if !decode(w, r, &body) {
		return
	}
	if err := sessions.RedeemCode(body.Email, body.Code); err != nil {
		fail(w, err)
		return
	}
	issue(w, strings.ToLower(body.Email), body.Region, "email")
}

func logout(w http.ResponseWriter, _ *http.Request, s *session.Session) {
	if err := sessions.Revoke(s); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changePassword sets a new password and signs the player out everywhere.
func changePassword(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var body struct{ Old, New string }
	if !decode(w, r, &body) {
		return
	}
	ok, err := VerifyPassword(r.Context(), s.PlayerID, body.Old)
	if err == nil && !ok {
		http.Error(w, "incorrect password", http.StatusForbidden)
		return
	}
	if err == nil {
		err = SetPassword(r.Context(), s.PlayerID, body.New)
	}
	if err == nil {
		_, err = sessions.RevokeAll(s.PlayerID, cfg.KV.List.MaxPages)
	}
	respond(w, http.StatusNoContent, nil, err)
}

func setRegion(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var body struct{ Region string }
	if !decode(w, r, &body) {
		return
	}
	updated, err := sessions.SetRegion(s.ID, body.Region)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, updated)
}
