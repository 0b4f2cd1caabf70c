//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"starling/internal/keys"
)

const (
	otpRoot      keys.Key = "otp"
	revokedRoot  keys.Key = "revoked"
	attemptsRoot keys.Key = "login-attempts"

	otpLifetime      = 45 // seconds; codes are typed in from the email right away
	maxLoginAttempts = 5
)

// Session is a signed-in listener.
type Session struct {
	ID       string    `json:"id"`
	Listener string    `json:"listener"`
	Plan     string    `json:"plan"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

var errNoSession = status(http.StatusUnauthorized, errors.New("no session"))

func newID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// sendCode emails a six-digit sign-in code.
func (a *App) sendCode(w http.ResponseWriter, r *http.Request) error {
	email := normalizeEmail(r.FormValue("email"))
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n.Int64())
	if err := a.sessions.PutSeconds(otpRoot.With(email).With(code).String(), "1", otpLifetime); err != nil { // EXPECT kvttl
		return err
	}
	if err := a.origin.SendMail(r.Context(), email, "login-code", code); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// login checks an emailed code and starts a session.
func (a *App) login(w http.ResponseWriter, r *http.Request) error {
	email := normalizeEmail(r.FormValue("email"))
	if raw, ok, _ := a.sessions.Get(attemptsRoot.With(email).String()); ok {
		if n, _ := strconv.Atoi(raw); n >= maxLoginAttempts {
			return status(http.StatusTooManyRequests, nil)
		}
	}
	otpKey := otpRoot.With(email).With(r.FormValue("code")).String()
	if _, ok, err := a.sessions.Get(otpKey); err != nil {
		return err
	} else if !ok {
		a.recordFailedLogin(email)
		return status(http.StatusUnauthorized, nil)
	}
	if err := a.sessions.Delete(otpKey); err != nil { // EXPECT kvsession
		return err
	}
	return a.signIn(w, r, email)
}

func (a *App) recordFailedLogin(email string) {
	key := attemptsRoot.With(email).String()
	raw, ok, err := a.sessions.Get(key)
	if err != nil {
		return
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(raw)
	}
	n++
	if err := a.sessions.Put(key, strconv.Itoa(n), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		a.log.Warn("login attempts", "err", err)
	}
}

// signIn resolves the listener, stores a new session under a fresh random ID
// and sets the cookie.
func (a *App) signIn(w http.ResponseWriter, r *http.Request, email string) error {
	listener, err := a.origin.Listener(r.Context(), email)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	s := Session{ID: newID(), Listener: listener, Plan: "free", Created: now, LastSeen: now}
	b, _ := json.Marshal(s)
	if err := a.sessions.Put(sessionRoot.With(s.ID).String(), string(b), a.cfg.SessionTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: a.cfg.CookieName, Value: s.ID, Path: "/",
		MaxAge: int(a.cfg.SessionTTL.Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/library", http.StatusFound)
	return nil
}

// currentSession loads the caller's session. Sessions that have been idle for
// a while get their last-seen time refreshed so that they stay alive.
func (a *App) currentSession(r *http.Request) (*Session, error) {
	c, err := r.Cookie(a.cfg.CookieName)
	if err != nil {
		return nil, errNoSession
	}
	key := sessionRoot.With(c.Value).String()
	raw, ok, err := a.sessions.Get(key)
	if err != nil || !ok {
		return nil, errors.Join(err, errNoSession)
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, err
	}
	if at, ok, _ := a.sessions.Get(revokedRoot.With(s.Listener).String()); ok {
		if t, err := time.Parse(time.RFC3339, at); err == nil && s.Created.Before(t) {
			return nil, errNoSession
		}
	}
	if time.Since(s.LastSeen) > 10*time.Minute {
		s.LastSeen = time.Now().UTC()
		b, _ := json.Marshal(s)
		if err := a.sessions.Put(key, string(b), a.cfg.SessionTTL); err != nil { // EXPECT kvsession|kvrace
			a.log.Warn("session touch", "err", err)
		}
	}
	return &s, nil
}

// logout ends the current session.
func (a *App) logout(w http.ResponseWriter, r *http.Request) error {
	s, err := a.currentSession(r)
	if err != nil {
		return err
	}
	uow := a.sessions.Begin()
	uow.Delete(sessionRoot.With(s.ID).String()) // EXPECT kvsession
	uow.Put(listenerRoot.With(s.Listener).Child("last-logout").String(), time.Now().UTC().Format(time.RFC3339), 90*24*time.Hour)
	if err := uow.Commit(); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: a.cfg.CookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// signOutEverywhere invalidates every session the listener has, for example
// after a lost phone.
func (a *App) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	s, err := a.currentSession(r)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Add(time.Second).Format(time.RFC3339)
	if err := a.sessions.Put(revokedRoot.With(s.Listener).String(), now, a.cfg.SessionTTL); err != nil { // EXPECT kvsession
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// onUpgraded is where checkout returns after a listener buys a premium plan.
// The session's plan is updated so premium episodes unlock immediately.
func (a *App) onUpgraded(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(a.cfg.CookieName)
	if err != nil {
		return errNoSession
	}
	uow := a.sessions.Begin()
	key := sessionRoot.With(c.Value).String()
	raw, ok, err := uow.Load(key)
	if err != nil || !ok {
		return errors.Join(err, errNoSession)
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return err
	}
	s.Plan = r.FormValue("plan")
	b, _ := json.Marshal(s)
	uow.Put(key, string(b), a.cfg.SessionTTL) // EXPECT kvsession|kvrace
	uow.Put(listenerRoot.With(s.Listener).Child("plan").String(), s.Plan, 0)
	if err := uow.Commit(); err != nil {
		return err
	}
	http.Redirect(w, r, "/library", http.StatusFound)
	return nil
}
