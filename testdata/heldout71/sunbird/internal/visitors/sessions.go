// Package visitors handles sign-in for visitors of password-protected and
// team-only documentation sites: magic links by email, a visitor cookie
// backed by a session record in KV, and sign-out.
package visitors

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"sunbird/internal/kvstore"
)

const (
	cookieName     = "sunbird_visitor"
	sessionTTL     = 7 * 24 * time.Hour
	magicLinkTTL   = 15 * time.Minute
	maxFailedLogin = 10
)

// Session is the record behind a visitor cookie.
type Session struct {
	Site     string    `json:"site"`
	Email    string    `json:"email"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Locale   string    `json:"locale,omitempty"`
}

type magicLink struct {
	Site     string `json:"site"`
	Email    string `json:"email"`
	Redirect string `json:"redirect"`
}

// Mailer sends sign-in emails.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Auth serves the sign-in endpoints.
type Auth struct {
	KV     *kvstore.Namespace
	Mail   Mailer
	Domain string
}

func randomID() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func sessionKey(id string) string { return "sessions/" + id }

// RequestLink emails a sign-in link to a visitor.
func (a *Auth) RequestLink(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	site, email := r.PathValue("site"), r.PostForm.Get("email")
	code := randomID()
	val, _ := json.Marshal(magicLink{Site: site, Email: email, Redirect: r.PostForm.Get("next")})
	if err := a.KV.Put(r.Context(), "magic-links/"+code, val, magicLinkTTL); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	link := fmt.Sprintf("https://%s.%s/_auth/callback?code=%s", site, a.Domain, url.QueryEscape(code))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.Mail.Send(ctx, email, "Sign in to "+site, link); err != nil {
			log.Printf("visitors: mail to %s: %v", email, err)
		}
	}()
	w.WriteHeader(http.StatusAccepted)
}

// Callback redeems a magic link and starts a session.
func (a *Auth) Callback(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	raw, err := a.KV.Get(r.Context(), "magic-links/"+code)
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "link expired", http.StatusGone)
		return
	} else if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	var ml magicLink
	if err := json.Unmarshal(raw, &ml); err != nil {
		http.Error(w, "bad link", http.StatusBadRequest)
		return
	}
	if err := a.KV.Delete(r.Context(), "magic-links/"+code); err != nil { // EXPECT kvsession
		log.Printf("visitors: consume link: %v", err)
	}
	now := time.Now().UTC()
	sid := randomID()
	sess, _ := json.Marshal(Session{Site: ml.Site, Email: ml.Email, Created: now, LastSeen: now})
	if err := a.KV.Put(r.Context(), sessionKey(sid), sess, sessionTTL); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sid, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, cmpOr(ml.Redirect, "/"), http.StatusSeeOther)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Current returns the visitor's session, refreshing its lifetime so that
// active readers stay signed in.
func (a *Auth) Current(r *http.Request) (*Session, string, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, "", nil
	}
	raw, err := a.KV.Get(r.Context(), sessionKey(c.Value))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, "", err
	}
	if cut, ok := a.revokedBefore(r.Context(), s.Site); ok && s.Created.Before(cut) {
		return nil, "", nil
	}
	s.LastSeen = time.Now().UTC()
	out, _ := json.Marshal(s)
	if err := a.KV.Put(r.Context(), sessionKey(c.Value), out, sessionTTL); err != nil { // EXPECT kvsession|kvrace
		log.Printf("visitors: touch session: %v", err)
	}
	return &s, c.Value, nil
}

// SetLocale stores the visitor's preferred language on the session.
func (a *Auth) SetLocale(ctx context.Context, sid, locale string) error {
	raw, err := a.KV.Get(ctx, sessionKey(sid))
	if err != nil {
		return err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	s.Locale = locale
	out, _ := json.Marshal(s)
	return a.KV.Put(ctx, sessionKey(sid), out, sessionTTL) // EXPECT kvsession|kvrace
}

// Logout ends the visitor's session.
func (a *Auth) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		if err := a.KV.Delete(r.Context(), sessionKey(c.Value)); err != nil { // EXPECT kvsession
			log.Printf("visitors: logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// RevokeAll signs out every visitor of a site, for example after the site's
// password changed. Sessions created before the cut-off are refused.
func (a *Auth) RevokeAll(ctx context.Context, site string) error {
	cut := strconv.FormatInt(time.Now().Unix(), 10)
	return a.KV.Put(ctx, "revoked-sessions/"+site, []byte(cut), sessionTTL) // EXPECT kvsession
}

func (a *Auth) revokedBefore(ctx context.Context, site string) (time.Time, bool) {
	raw, err := a.KV.Get(ctx, "revoked-sessions/"+site)
	if err != nil {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// CheckPassword verifies a site's shared password and remembers failures
// so that support can see brute-force attempts.
func (a *Auth) CheckPassword(ctx context.Context, site, ip, password string) (bool, error) {
	raw, err := a.KV.Get(ctx, "site-passwords/"+site)
	if errors.Is(err, kvstore.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256([]byte(site + ":" + password))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), raw) == 1 {
		return true, nil
	}
	key := "login-attempts/" + site + "/" + ip + "/" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := a.KV.Put(ctx, key, []byte("1"), 15*time.Minute); err != nil { // DEBATABLE kvcounter
		log.Printf("visitors: record failure: %v", err)
	}
	return false, nil
}

// FailedAttempts counts recent failures for a site and address, reading at
// most a few pages.
func (a *Auth) FailedAttempts(ctx context.Context, site, ip string) (int, error) {
	prefix := "login-attempts/" + site + "/" + ip + "/"
	n, cursor := 0, ""
	for range 3 {
		page, err := a.KV.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return n, err
		}
		n += len(page.Keys)
		if page.Cursor == "" || n >= maxFailedLogin {
			break
		}
		cursor = page.Cursor
	}
	return n, nil
}
