//go:build js && wasm

package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/syumai/workers/cloudflare/kv"
)

const (
	cookieName    = "jabiru_snap"
	sessionTTL    = 12 * time.Hour
	maxAttempts   = 5
	attemptWindow = 30 // seconds a burst of wrong passcodes is remembered
)

// viewerSession lets one browser view one protected snapshot.
type viewerSession struct {
	SnapshotID string    `json:"snapshotId"`
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
	Via        string    `json:"via"` // "passcode" or "magic-link"
}

func newSessionID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// session returns the viewer session for snapID from the request cookie and
// slides its expiry forward.
func (a *app) session(w http.ResponseWriter, r *http.Request, snapID string) (*viewerSession, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, false
	}
	raw, err := a.kv.GetString("sess:"+c.Value, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil || missing(raw) {
		return nil, false
	}
	var s viewerSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil || s.SnapshotID != snapID {
		return nil, false
	}
	s.ExpiresAt = time.Now().Add(sessionTTL)
	body, _ := json.Marshal(s)
	_ = a.kv.PutString("sess:"+c.Value, string(body), &kv.PutOptions{ExpirationTTL: int(sessionTTL.Seconds())}) // EXPECT kvsession
	http.SetCookie(w, sessionCookie(c.Value, s.ExpiresAt))
	return &s, true
}

// startSession creates a fresh viewer session and sets its cookie.
func (a *app) startSession(w http.ResponseWriter, snapID, via string) error {
	sid := newSessionID()
	now := time.Now().UTC()
	s := viewerSession{SnapshotID: snapID, CreatedAt: now, ExpiresAt: now.Add(sessionTTL), Via: via}
	body, _ := json.Marshal(s)
	if err := a.kv.PutString("sess:"+sid, string(body), &kv.PutOptions{ExpirationTTL: int(sessionTTL.Seconds())}); err != nil {
		return err
	}
	http.SetCookie(w, sessionCookie(sid, s.ExpiresAt))
	return nil
}

func sessionCookie(value string, exp time.Time) *http.Cookie {
	return &http.Cookie{
		Name: cookieName, Value: value, Path: "/", Expires: exp,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	}
}

// unlock checks a snapshot passcode and opens a viewer session.
func (a *app) unlock(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	snap, status, err := a.load(id)
	if snap == nil {
		if err == nil {
			err = errNotFound
		}
		http.Error(w, err.Error(), status)
		return
	}
	attemptsKey := "attempts:" + id + ":" + r.Header.Get("CF-Connecting-IP")
	tries := 0
	if raw, err := a.kv.GetString(attemptsKey, nil); err == nil && !missing(raw) {
		tries, _ = strconv.Atoi(raw)
	}
	if tries >= maxAttempts {
		http.Error(w, "too many attempts, try again shortly", http.StatusTooManyRequests)
		return
	}
	if bcrypt.CompareHashAndPassword(snap.PasscodeHash, []byte(r.FormValue("passcode"))) != nil {
		_ = a.kv.PutString(attemptsKey, strconv.Itoa(tries+1), &kv.PutOptions{ // EXPECT kvcounter|kvrace
			ExpirationTTL: attemptWindow, // EXPECT kvttl
		})
		http.Error(w, "wrong passcode", http.StatusUnauthorized)
		return
	}
	if err := a.startSession(w, id, "passcode"); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/s/"+id, http.StatusSeeOther)
}

// redeem opens a protected snapshot through a one-time magic link that the
// data source plugin issued.
func (a *app) redeem(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	snapID, err := a.kv.GetString("otp:"+code, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if missing(snapID) {
		http.Error(w, "this link has expired or was already used", http.StatusGone)
		return
	}
	if err := a.kv.Delete("otp:" + code); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := a.startSession(w, snapID, "magic-link"); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/s/"+snapID, http.StatusSeeOther)
}

// logout ends the viewer session.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
		_ = a.kv.Delete("sess:" + c.Value) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}
