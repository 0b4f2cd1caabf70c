package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/toutouwai/booking/internal/kvstore"
)

// RememberCookie holds "selector.validator".
const RememberCookie = "tw_remember"

const rememberFor = 30 * 24 * time.Hour

// ErrBadRemember is returned for unknown or tampered cookies.
var ErrBadRemember = errors.New("auth: invalid remember-me cookie")

type rememberRecord struct {
	UserID  string    `json:"uid"`
	Email   string    `json:"email"`
	Hash    string    `json:"h"`
	Expires time.Time `json:"exp"`
}

func rememberKey(selector string) string { return "remember:" + selector }

func hashValidator(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Remember issues a remember-me cookie with a fresh selector and validator.
func (m *Manager) Remember(ctx context.Context, w http.ResponseWriter, userID, email string) error {
	selector, validator := NewID()[:16], NewID()
	rec := rememberRecord{UserID: userID, Email: email, Hash: hashValidator(validator), Expires: time.Now().Add(rememberFor)}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := m.NS.PutUntil(ctx, rememberKey(selector), b, rec.Expires.Unix()); err != nil {
		return err
	}
	m.setRememberCookie(w, selector+"."+validator, rec.Expires)
	return nil
}

func (m *Manager) setRememberCookie(w http.ResponseWriter, value string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: RememberCookie, Value: value, Path: "/", Expires: exp,
		HttpOnly: true, Secure: m.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// Resume signs the visitor back in from a remember-me cookie, rotating the
// validator so a stolen cookie works at most once.
func (m *Manager) Resume(w http.ResponseWriter, r *http.Request) (*Session, error) {
	c, err := r.Cookie(RememberCookie)
	if err != nil {
		return nil, ErrNoSession
	}
	selector, validator, ok := strings.Cut(c.Value, ".")
	if !ok || selector == "" {
		return nil, ErrBadRemember
	}
	ctx := r.Context()
	var rec rememberRecord
	if err := m.NS.GetJSON(ctx, rememberKey(selector), &rec); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrBadRemember
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(hashValidator(validator))) != 1 {
		return nil, ErrBadRemember
	}
	next := NewID()
	rec.Hash = hashValidator(next)
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := m.NS.PutUntil(ctx, rememberKey(selector), b, rec.Expires.Unix()); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	m.setRememberCookie(w, selector+"."+next, rec.Expires)
	return m.Start(ctx, w, rec.UserID, rec.Email, false)
}

// Forget drops the remember-me token on sign out.
func (m *Manager) Forget(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(RememberCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: RememberCookie, Value: "", Path: "/", MaxAge: -1})
	selector, _, _ := strings.Cut(c.Value, ".")
	if selector == "" {
		return nil
	}
	return m.NS.Delete(ctx, rememberKey(selector)) // EXPECT kvsession
}
