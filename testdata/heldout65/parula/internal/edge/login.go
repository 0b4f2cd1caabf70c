//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const (
	dashSessionTTL = 24 * 60 * 60
	dashCookie     = "parula_edge"
)

type loginCode struct {
	Team string `json:"team"`
	User string `json:"user"`
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// handleLoginStart is called by the bot (with the signing secret) when a user
// runs "/parula login"; it mints a one-time code for a magic link.
func (h *Handler) handleLoginStart(w http.ResponseWriter, r *http.Request) {
	body, err := h.verify(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var req loginCode
	if err := json.Unmarshal(body, &req); err != nil || req.Team == "" || req.User == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	code, err := randomToken(24)
	if err != nil {
		http.Error(w, "rng", http.StatusInternalServerError)
		return
	}
	err = h.sessions.PutString("otp:"+code, string(body), &kv.PutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "kv", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]string{"url": "https://parula.example/login?code=" + code})
}

// handleLogin redeems a magic link and starts a dashboard session.
func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.URL.Query().Get("code"))
	if code == "" {
		http.Error(w, "missing code", http.StatusBadRequest)
		return
	}
	raw, ok, err := get(h.sessions, "otp:"+code, nil)
	if err != nil {
		http.Error(w, "kv", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := h.sessions.Delete("otp:" + code); err != nil { // EXPECT kvsession
		http.Error(w, "kv", http.StatusServiceUnavailable)
		return
	}
	var lc loginCode
	if err := json.Unmarshal([]byte(raw), &lc); err != nil {
		http.Error(w, "corrupt code", http.StatusInternalServerError)
		return
	}
	sid, err := randomToken(32)
	if err != nil {
		http.Error(w, "rng", http.StatusInternalServerError)
		return
	}
	err = h.sessions.PutString("sess:"+sid, raw, &kv.PutOptions{ExpirationTTL: dashSessionTTL})
	if err != nil {
		http.Error(w, "kv", http.StatusServiceUnavailable)
		return
	}
	_ = h.state.PutString("lastlogin:"+lc.Team+":"+lc.User, time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{
		Expiration: int(time.Now().Add(90 * 24 * time.Hour).UnixMilli()), // EXPECT kvttl
	})
	http.SetCookie(w, &http.Cookie{
		Name: dashCookie, Value: sid, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: dashSessionTTL,
	})
	http.Redirect(w, r, "/dash/", http.StatusFound)
}
