//go:build js && wasm

package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	sessionCookie = "trogon_preview"
	sessionTTL    = 3600
	magicTTL      = 900
	stateTTL      = 600
	maxAttempts   = 10
)

type previewSession struct {
	Site     string    `json:"site"`
	Via      string    `json:"via"`
	LastSeen time.Time `json:"last_seen"`
}

func randomID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func sessionKey(id string) string { return "preview/sess/" + id }

// startSession stores a fresh session and sets its cookie.
func startSession(ns *kv.Namespace, w http.ResponseWriter, siteID, via string, opts *kv.PutOptions) error {
	id := randomID()
	body, _ := json.Marshal(previewSession{Site: siteID, Via: via, LastSeen: time.Now().UTC()})
	if err := ns.PutString(sessionKey(id), string(body), opts); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	return nil
}

// previewAllowed checks the preview cookie and keeps an active session
// alive for another hour.
func previewAllowed(ns *kv.Namespace, r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	raw, ok, err := lookup(ns, sessionKey(c.Value), 0)
	if err != nil || !ok {
		return false
	}
	var s previewSession
	if json.Unmarshal([]byte(raw), &s) != nil {
		return false
	}
	s.LastSeen = time.Now().UTC()
	b, _ := json.Marshal(s)
	_ = ns.PutString(sessionKey(c.Value), string(b), &kv.PutOptions{ExpirationTTL: sessionTTL}) // EXPECT kvsession|kvrace
	return true
}

func handleLogin(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	ip := clientIP(r)
	minute := time.Now().UTC().Format("200601021504")
	rlKey := "ratelimit/login/" + ip + "/" + minute
	hits := 0
	if v, ok, _ := lookup(ns, rlKey, 0); ok {
		hits, _ = strconv.Atoi(v)
	}
	if hits >= 20 {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	_ = ns.PutString(rlKey, strconv.Itoa(hits+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace

	siteID := r.FormValue("site")
	want, ok, err := lookup(ns, "preview/password/"+siteID, 300)
	if err != nil || !ok {
		http.Error(w, "preview not enabled", http.StatusNotFound)
		return
	}
	attemptsKey := "attempts/" + siteID + "/" + ip
	failures := 0
	if v, ok, _ := lookup(ns, attemptsKey, 0); ok {
		failures, _ = strconv.Atoi(v)
	}
	if failures >= maxAttempts {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	sum := sha256.Sum256([]byte(r.FormValue("password")))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want)) != 1 {
		_ = ns.PutString(attemptsKey, strconv.Itoa(failures+1), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter|kvrace
		http.Error(w, "incorrect password", http.StatusUnauthorized)
		return
	}
	if err := startSession(ns, w, siteID, "password", &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil {
		http.Error(w, "could not start session", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
}

func handleLogout(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = ns.Delete(sessionKey(c.Value)) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleMintMagic is called by the dashboard to create a one-click
// preview link for a reviewer.
func handleMintMagic(w http.ResponseWriter, r *http.Request) {
	if cloudflare.Getenv("DASHBOARD_SECRET") != r.Header.Get("X-Trogon-Secret") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	tok := randomID()
	if err := ns.PutString("magic/"+tok, r.FormValue("site"), &kv.PutOptions{ExpirationTTL: magicTTL}); err != nil {
		http.Error(w, "could not mint link", http.StatusInternalServerError)
		return
	}
	_, _ = w.Write([]byte("/_trogon/magic?t=" + tok))
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func handleMagic(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	tok := r.URL.Query().Get("t")
	siteID, ok, err := lookup(ns, "magic/"+tok, 0)
	if err != nil || !ok {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	_ = ns.Delete("magic/" + tok)                                             // EXPECT kvsession
	opts := &kv.PutOptions{Expiration: int(endOfDay(time.Now()).UnixMilli())} // EXPECT kvttl
	if err := startSession(ns, w, siteID, "magic-link", opts); err != nil {
		http.Error(w, "could not start session", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func handleOAuthStart(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	state := randomID()
	if err := ns.PutString("oauth/state/"+state, r.URL.Query().Get("site"), &kv.PutOptions{ExpirationTTL: stateTTL}); err != nil {
		http.Error(w, "could not start sign-in", http.StatusInternalServerError)
		return
	}
	q := url.Values{"client_id": {cloudflare.Getenv("GITHUB_CLIENT_ID")}, "state": {state}, "scope": {"read:org"}}
	http.Redirect(w, r, "https://github.com/login/oauth/authorize?"+q.Encode(), http.StatusFound)
}

func handleOAuthCallback(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	stateKey := "oauth/state/" + r.URL.Query().Get("state")
	siteID, ok, err := lookup(ns, stateKey, 0)
	if err != nil || !ok {
		http.Error(w, "sign-in expired, try again", http.StatusBadRequest)
		return
	}
	if err := ns.Delete(stateKey); err != nil { // EXPECT kvsession
		http.Error(w, "sign-in failed", http.StatusInternalServerError)
		return
	}
	// Exchanging the code and checking org membership happens in the
	// dashboard API; the Worker only needs the outcome.
	if r.URL.Query().Get("code") == "" {
		http.Error(w, "missing code", http.StatusBadRequest)
		return
	}
	if err := startSession(ns, w, siteID, "github", &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil {
		http.Error(w, "could not start session", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func safeNext(next string) string {
	if u, err := url.Parse(next); err == nil && u.Host == "" && len(next) > 0 && next[0] == '/' {
		return next
	}
	return "/"
}
