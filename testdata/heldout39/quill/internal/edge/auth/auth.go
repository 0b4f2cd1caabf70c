//go:build js && wasm

// Package auth signs readers in with magic links and keeps their sessions in
// the SESSIONS namespace.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"quill/internal/config"
	"quill/internal/keys"
	"quill/internal/kvstore"
	"quill/internal/tier"
)

// Session is what a reader's cookie points at.
type Session struct {
	ID       string    `json:"id"`
	ReaderID string    `json:"reader"`
	Email    string    `json:"email"`
	Writer   string    `json:"writer"`
	Tier     string    `json:"tier"`
	Created  time.Time `json:"created"`
}

// Mailer delivers login links.
type Mailer interface {
	SendLink(ctx context.Context, email, link string) error
}

// Service handles logins, sessions and logouts.
type Service struct {
	store  *kvstore.Edge
	raw    *kv.Namespace
	cfg    config.Sessions
	origin string
	mail   Mailer
}

func New(store *kvstore.Edge, cfg config.Sessions, origin string, mail Mailer) *Service {
	return &Service{store: store, raw: store.Namespace(), cfg: cfg, origin: origin, mail: mail}
}

// SessionError says why a request carries no usable session.
type SessionError struct {
	Reason string
	Err    error
}

func (e *SessionError) Error() string { return fmt.Sprintf("auth: %s: %v", e.Reason, e.Err) }

func (e *SessionError) Unwrap() error { return e.Err }

func newID(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ReaderID derives a stable reader ID from an email address.
func ReaderID(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:12])
}

// readerIndex lists a reader's session IDs for "sign out everywhere".
func readerIndex(readerID string) string { return "idx:reader:" + readerID + ":" }

func (s *Service) create(ctx context.Context, email, writer string, t tier.Tier) (*Session, error) {
	id, err := newID(24)
	if err != nil {
		return nil, err
	}
	sess := &Session{ID: id, ReaderID: ReaderID(email), Email: email, Writer: writer, Tier: t.String(), Created: time.Now().UTC()}
	b, _ := json.Marshal(sess)
	if err := s.store.Put(ctx, keys.Session(id), string(b), s.cfg.Lifetime.Duration); err != nil { // DEBATABLE kvsession
		return nil, fmt.Errorf("auth: store session: %w", err)
	}
	if err := s.raw.PutString(readerIndex(sess.ReaderID)+id, "", &kv.PutOptions{
		ExpirationTTL: int(s.cfg.Lifetime.Duration), // EXPECT kvttl
	}); err != nil {
		return nil, fmt.Errorf("auth: index session: %w", err)
	}
	return sess, nil
}

// Lookup returns the session named by the request's cookie and extends its
// lifetime.
func (s *Service) Lookup(r *http.Request) (*Session, error) {
	c, err := r.Cookie(s.cfg.CookieName)
	if err != nil {
		return nil, &SessionError{Reason: "no cookie", Err: err}
	}
	raw, err := s.raw.GetString(keys.Session(c.Value), nil)
	if err != nil || raw == "<null>" {
		return nil, &SessionError{Reason: "unknown session", Err: err}
	}
	if rv, err := s.raw.GetString(keys.Revoked(c.Value), nil); err == nil && rv != "<null>" {
		return nil, &SessionError{Reason: "revoked at " + rv}
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return nil, &SessionError{Reason: "corrupt session", Err: err}
	}
	if err := s.raw.PutString(keys.Session(sess.ID), raw, &kv.PutOptions{ExpirationTTL: int(s.cfg.Lifetime.Seconds())}); err != nil { // EXPECT kvsession|kvrace
		return nil, &SessionError{Reason: "refresh", Err: err}
	}
	return &sess, nil
}

func (s *Service) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.cfg.CookieName, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// Logout ends the current session.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Lookup(r)
	if err != nil {
		s.clearCookie(w, r)
		return
	}
	if err := s.store.Delete(r.Context(), keys.Session(sess.ID)); err != nil { // EXPECT kvsession
		http.Error(w, "could not sign out", http.StatusBadGateway)
		return
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := s.raw.PutString(keys.Revoked(sess.ID), stamp, &kv.PutOptions{ExpirationTTL: int(s.cfg.Lifetime.Seconds())}); err != nil { // EXPECT kvsession
		http.Error(w, "could not sign out", http.StatusBadGateway)
		return
	}
	s.clearCookie(w, r)
}

// LogoutEverywhere ends every session of the current reader.
func (s *Service) LogoutEverywhere(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Lookup(r)
	if err != nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	prefix := readerIndex(sess.ReaderID)
	indexed, truncated, err := kvstore.Collect(ctx, s.store, prefix, 5)
	if err != nil {
		http.Error(w, "could not list sessions", http.StatusBadGateway)
		return
	}
	sessionKeys := make([]string, 0, len(indexed))
	for _, k := range indexed {
		sessionKeys = append(sessionKeys, keys.Session(strings.TrimPrefix(k, prefix)))
	}
	if err := kvstore.DeleteAll(ctx, s.store, sessionKeys...); err != nil { // EXPECT kvsession
		http.Error(w, "could not sign out everywhere", http.StatusBadGateway)
		return
	}
	if err := kvstore.DeleteAll(ctx, s.store, indexed...); err != nil || truncated {
		w.Header().Set("X-Quill-Partial", "1")
	}
	s.clearCookie(w, r)
}

// Upgrade records a new tier in the reader's current session after checkout.
func (s *Service) Upgrade(ctx context.Context, sessionID string, t tier.Tier) error {
	key := keys.Session(sessionID)
	raw, err := s.raw.GetString(key, nil)
	if err != nil || raw == "<null>" {
		return &SessionError{Reason: "unknown session", Err: err}
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return &SessionError{Reason: "corrupt session", Err: err}
	}
	sess.Tier = t.String()
	b, _ := json.Marshal(sess)
	if err := s.raw.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(s.cfg.Lifetime.Seconds())}); err != nil { // EXPECT kvsession|kvrace
		return &SessionError{Reason: "upgrade", Err: err}
	}
	return nil
}

// linkRecord is stored under the hash of a magic-link token until it is used.
type linkRecord struct {
	Email   string    `json:"email"`
	Writer  string    `json:"writer"`
	Next    string    `json:"next"`
	Created time.Time `json:"created"`
}

// linkFor returns where a login link is stored and how long it stays valid.
func (s *Service) linkFor(token string) (string, time.Duration) {
	return keys.MagicLink(token), s.cfg.MagicLinkTTL.Duration
}

// maxLinksPerWindow is how many links one IP may request per window.
const maxLinksPerWindow = 5

// RequestLink emails a one-time login link.
func (s *Service) RequestLink(w http.ResponseWriter, r *http.Request) {
	addr, err := mail.ParseAddress(r.FormValue("email"))
	if err != nil {
		http.Error(w, "invalid email", http.StatusBadRequest)
		return
	}
	email := strings.ToLower(addr.Address)
	writer := r.FormValue("writer")

	ip := r.Header.Get("CF-Connecting-IP")
	limitKey := "ratelimit:ml:" + ip
	n := 0
	if v, err := s.raw.GetString(limitKey, nil); err == nil && v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	if n >= maxLinksPerWindow {
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	if err := s.raw.PutString(limitKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 600}); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}

	token, err := newID(32)
	if err != nil {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	next := r.FormValue("next")
	if !strings.HasPrefix(next, "/") {
		next = "/"
	}
	rec, _ := json.Marshal(linkRecord{Email: email, Writer: writer, Next: next, Created: time.Now().UTC()})
	key, ttl := s.linkFor(token)
	if err := s.store.Put(r.Context(), key, string(rec), ttl); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	link := s.origin + "/auth/redeem?t=" + url.QueryEscape(token)
	if err := s.mail.SendLink(r.Context(), email, link); err != nil {
		http.Error(w, "could not send email", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// Redeem exchanges a magic-link token for a session cookie.
func (s *Service) Redeem(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	if token == "" {
		http.Error(w, "missing token", http.StatusBadRequest)
		return
	}
	key := keys.MagicLink(token)
	raw, err := s.raw.GetString(key, nil)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	var rec linkRecord
	if raw == "<null>" || json.Unmarshal([]byte(raw), &rec) != nil {
		http.Redirect(w, r, "/login?expired=1", http.StatusSeeOther)
		return
	}
	if err := s.raw.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	sess, err := s.create(r.Context(), rec.Email, rec.Writer, tier.Free)
	if err != nil {
		http.Error(w, "could not sign in", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.cfg.CookieName, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.Lifetime.Seconds())})
	http.Redirect(w, r, rec.Next, http.StatusSeeOther)
}
