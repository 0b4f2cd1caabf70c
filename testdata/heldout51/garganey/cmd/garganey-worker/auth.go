//go:build js && wasm

package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Lifetimes in seconds.
const (
	sessionTTL   = 24 * 60 * 60
	magicLinkTTL = 15 * 60
)

// statusCacheTTL is how long the upload page's transcode status may be
// served from the edge cache, in seconds.
const statusCacheTTL = 15

type session struct {
	Creator string    `json:"creator"`
	Expires time.Time `json:"expires"`
}

var errNoSession = errors.New("no session")

// handleLogin mails a magic sign-in link to a creator.
func handleLogin(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	ns, ok := namespace(w, bindingSessions)
	if !ok {
		return
	}
	creator, err := fetchOrigin(r.Context(), http.MethodGet, "/internal/creators/by-email?email="+url.QueryEscape(email), "")
	if err != nil {
		// Same answer for unknown addresses, so accounts cannot be probed.
		w.WriteHeader(http.StatusAccepted)
		return
	}
	code := rand.Text()
	if err := ns.PutString("magic:"+code, creator, &kv.PutOptions{ExpirationTTL: magicLinkTTL}); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	mail, _ := json.Marshal(map[string]string{"email": email, "code": code})
	if _, err := fetchOrigin(r.Context(), http.MethodPost, "/internal/mail/magic-link", string(mail)); err != nil {
		log.Printf("login: mail: %v", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleLoginCallback redeems a magic link and starts a session.
func handleLoginCallback(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	ns, ok := namespace(w, bindingSessions)
	if !ok {
		return
	}
	creator, err := ns.GetString("magic:"+code, nil)
	if err != nil || code == "" || creator == kvNull {
		http.Error(w, "this sign-in link has expired", http.StatusForbidden)
		return
	}
	if err := ns.Delete("magic:" + code); err != nil { // EXPECT kvsession
		log.Printf("login: consume link: %v", err)
	}

	sid := rand.Text()
	b, _ := json.Marshal(session{Creator: creator, Expires: time.Now().Add(sessionTTL * time.Second)})
	if err := ns.PutString("sess:"+sid, string(b), &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil { // DEBATABLE kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	// Index used by the admin tool to end every session of a creator.
	if err := ns.PutString("sess-by-creator:"+creator+":"+sid, "", &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil {
		log.Printf("login: index: %v", err)
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true, Secure: true, MaxAge: sessionTTL})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// currentSession loads the caller's session and slides its expiry, so
// that a creator who keeps working is not signed out mid-upload.
func currentSession(r *http.Request, ns *kv.Namespace) (session, error) {
	var s session
	c, err := r.Cookie("sid")
	if err != nil {
		return s, errNoSession
	}
	raw, err := ns.GetString("sess:"+c.Value, nil)
	if err != nil {
		return s, err
	}
	if raw == kvNull {
		return s, errNoSession
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, err
	}
	s.Expires = time.Now().Add(sessionTTL * time.Second)
	b, _ := json.Marshal(s)
	if err := ns.PutString("sess:"+c.Value, string(b), &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil { // EXPECT kvsession|kvrace
		log.Printf("session: slide: %v", err)
	}
	return s, nil
}

func handleLogout(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, bindingSessions)
	if !ok {
		return
	}
	if c, err := r.Cookie("sid"); err == nil {
		if err := ns.Delete("sess:" + c.Value); err != nil { // EXPECT kvsession
			log.Printf("logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleTranscodeStatus is polled by the upload page.
func handleTranscodeStatus(w http.ResponseWriter, r *http.Request) {
	sessions, ok := namespace(w, bindingSessions)
	if !ok {
		return
	}
	if _, err := currentSession(r, sessions); err != nil {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	feeds, ok := namespace(w, bindingFeeds)
	if !ok {
		return
	}
	status, err := feeds.GetString("transcode:"+r.PathValue("episode"), &kv.GetOptions{CacheTTL: statusCacheTTL}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "status unavailable", http.StatusBadGateway)
		return
	}
	if status == kvNull {
		status = "queued"
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": status})
}
