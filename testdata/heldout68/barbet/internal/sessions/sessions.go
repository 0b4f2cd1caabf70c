// Package sessions keeps dashboard sessions, OAuth sign-in state and e-mail
// one-time codes for creators.
package sessions

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/barbet-video/barbet/internal/kvstore"
)

// Session is a signed-in creator.
type Session struct {
	ID         string    `json:"id"`
	Account    string    `json:"account"`
	Email      string    `json:"email"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
	LastUpload string    `json:"last_upload,omitempty"`
}

// Store serves the sign-in endpoints and loads sessions for the API.
type Store struct {
	NS       *kvstore.Namespace
	Log      *slog.Logger
	TTL      time.Duration
	Cookie   string
	Verifier func(ctx context.Context, email, password string) (account string, err error)
	Exchange func(ctx context.Context, code string) (account, email string, err error)
	Mailer   func(ctx context.Context, to, subject, body string) error
}

var errNoSession = errors.New("sessions: no session")

func sessKey(id string) string              { return "sess/" + id }
func sessIndexKey(acct, id string) string   { return "sess/idx/" + acct + "/" + id }
func csrfKey(id string) string              { return "csrf/" + id }
func oauthStateKey(state string) string     { return "oauth/state/" + state }
func otpKey(email string) string            { return "otp/" + strings.ToLower(email) }
func refreshKey(acct, device string) string { return "refresh/" + acct + "/" + device }

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login checks a password and opens a session.
func (s *Store) Login(w http.ResponseWriter, r *http.Request) {
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	account, err := s.Verifier(r.Context(), email, password)
	if err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	if err := s.open(r.Context(), w, account, email); err != nil {
		s.Log.Error("session not opened", "account", account, "err", err)
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func (s *Store) open(ctx context.Context, w http.ResponseWriter, account, email string) error {
	now := time.Now().UTC()
	sess := Session{ID: token(24), Account: account, Email: email, CreatedAt: now, LastSeen: now}
	if err := s.NS.PutJSON(ctx, sessKey(sess.ID), sess, s.TTL); err != nil {
		return err
	}
	if err := s.NS.Put(ctx, sessIndexKey(account, sess.ID), nil, s.TTL); err != nil {
		return err
	}
	if err := s.NS.Put(ctx, csrfKey(sess.ID), []byte(token(18)), s.TTL); err != nil { // DEBATABLE kvsession
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.Cookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.TTL.Seconds()),
	})
	return nil
}

// Load returns the session named by the request's cookie.
func (s *Store) Load(r *http.Request) (Session, error) {
	c, err := r.Cookie(s.Cookie)
	if err != nil || c.Value == "" {
		return Session{}, errNoSession
	}
	var sess Session
	if err := s.NS.GetJSON(r.Context(), sessKey(c.Value), &sess); errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, errNoSession
	} else if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// RequireSession admits requests that carry a session and keeps the session
// alive for another TTL from the last request.
type RequireSession struct {
	Store *Store
	Next  http.Handler
}

func (h RequireSession) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sess, err := h.Store.Load(r)
	if errors.Is(err, errNoSession) {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	} else if err != nil {
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
		return
	}
	if time.Since(sess.LastSeen) > time.Minute {
		sess.LastSeen = time.Now().UTC()
		if err := h.Store.NS.PutJSON(r.Context(), sessKey(sess.ID), sess, h.Store.TTL); err != nil { // EXPECT kvsession
			h.Store.Log.Warn("session not extended", "err", err)
		}
	}
	r.Header.Set("X-Barbet-Account", sess.Account)
	h.Next.ServeHTTP(w, r)
}

// RememberUpload notes the last upload on the session so the dashboard can
// reopen it after a reload.
func (s *Store) RememberUpload(r *http.Request, uploadID string) error {
	sess, err := s.Load(r)
	if err != nil {
		return err
	}
	sess.LastUpload = uploadID
	return s.NS.PutJSON(r.Context(), sessKey(sess.ID), sess, s.TTL) // EXPECT kvsession|kvrace
}

// Logout ends the session.
func (s *Store) Logout(w http.ResponseWriter, r *http.Request) {
	if sess, err := s.Load(r); err == nil {
		if err := s.NS.Delete(r.Context(), sessKey(sess.ID)); err != nil { // EXPECT kvsession
			s.Log.Warn("session not deleted", "err", err)
		}
		_ = s.NS.Delete(r.Context(), sessIndexKey(sess.Account, sess.ID)) // DEBATABLE kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: s.Cookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// EndAll signs an account out everywhere, after a password change.
func (s *Store) EndAll(ctx context.Context, account string) error {
	prefix := "sess/idx/" + account + "/"
	cursor := ""
	var errs []error
	for page := 0; page < 10; page++ {
		keys, next, err := s.NS.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			id := strings.TrimPrefix(k.Name, prefix)
			if err := s.NS.Delete(ctx, sessKey(id)); err != nil { // EXPECT kvsession
				errs = append(errs, err)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return errors.Join(errs...)
}

// BeginOAuth starts sign-in with the video platform partner.
func (s *Store) BeginOAuth(w http.ResponseWriter, r *http.Request) {
	state := token(18)
	if err := s.NS.Put(r.Context(), oauthStateKey(state), []byte(r.URL.Query().Get("next")), 10*time.Minute); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "https://partner.example.com/oauth/authorize?client_id=barbet&state="+state, http.StatusFound)
}

// OAuthCallback finishes the partner sign-in.
func (s *Store) OAuthCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	next, err := s.NS.Get(r.Context(), oauthStateKey(state))
	if err != nil {
		http.Error(w, "sign-in expired, start again", http.StatusBadRequest)
		return
	}
	if err := s.NS.Delete(r.Context(), oauthStateKey(state)); err != nil { // EXPECT kvsession
		s.Log.Warn("oauth state kept", "err", err)
	}
	account, email, err := s.Exchange(r.Context(), r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusUnauthorized)
		return
	}
	if err := s.open(r.Context(), w, account, email); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, cmpOr(string(next), "/dashboard"), http.StatusSeeOther)
}

// SendCode mails a six-digit sign-in code.
func (s *Store) SendCode(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n.Int64())
	if err := s.NS.Put(r.Context(), otpKey(email), []byte(code), 15*time.Minute); err != nil { // DEBATABLE kvsession
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if err := s.Mailer(r.Context(), email, "Your barbet sign-in code", "Your code is "+code); err != nil {
		http.Error(w, "mail not sent", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// VerifyCode redeems a mailed code.
func (s *Store) VerifyCode(w http.ResponseWriter, r *http.Request) {
	email, code := r.PostFormValue("email"), r.PostFormValue("code")
	want, err := s.NS.Get(r.Context(), otpKey(email))
	if err != nil || subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		http.Error(w, "wrong or expired code", http.StatusUnauthorized)
		return
	}
	if err := s.NS.Delete(r.Context(), otpKey(email)); err != nil { // EXPECT kvsession
		s.Log.Warn("otp kept", "err", err)
	}
	if err := s.open(r.Context(), w, "email:"+strings.ToLower(email), email); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type refreshRecord struct {
	Token    string    `json:"token"`
	IssuedAt time.Time `json:"issued_at"`
}

// Refresh rotates the refresh token of the desktop uploader app.
func (s *Store) Refresh(w http.ResponseWriter, r *http.Request) {
	account, device := r.Header.Get("X-Barbet-Account"), r.Header.Get("X-Barbet-Device")
	presented := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	var cur refreshRecord
	if err := s.NS.GetJSON(r.Context(), refreshKey(account, device), &cur); err != nil ||
		subtle.ConstantTimeCompare([]byte(cur.Token), []byte(presented)) != 1 {
		http.Error(w, "refresh token rejected", http.StatusUnauthorized)
		return
	}
	next := refreshRecord{Token: token(32), IssuedAt: time.Now().UTC()}
	if err := s.NS.PutJSON(r.Context(), refreshKey(account, device), next, 60*24*time.Hour); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"refresh_token": next.Token})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
