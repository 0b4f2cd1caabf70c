//go:build js && wasm

// Package sessions handles creator logins for the dashboard: magic links,
// the session cookie, CSRF nonces and the short "sudo" window for sensitive
// settings.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"bittern/internal/edgekv"
	"bittern/internal/kvctx"
	"bittern/internal/loader"
	"bittern/internal/model"
	"bittern/internal/origin"
)

const (
	CookieName = "bittern_session"

	sessionTTL = 14 * 24 * time.Hour
	magicTTL   = 15 * time.Minute
	csrfTTL    = 30 * time.Second
	indexTTL   = 30 * 24 * time.Hour
	// loadCacheTTL keeps logouts from lingering at other edge locations.
	loadCacheTTL = 15 * time.Second

	maxLinksPerHour = 5
)

var (
	ErrNoSession       = errors.New("sessions: not logged in")
	ErrBadCode         = errors.New("sessions: link expired or already used")
	ErrTooManyAttempts = errors.New("sessions: too many login links requested")
	ErrLockedOut       = errors.New("sessions: account locked")
)

var creators = &loader.Loader[string, model.Creator]{
	Key: func(email string) string { return "creator-by-email:" + strings.ToLower(email) },
	Fetch: func(ctx context.Context, email string) (model.Creator, error) {
		return origin.Fetch[model.Creator](ctx, "/v1/creators?email="+url.QueryEscape(email))
	},
	TTL: 5 * time.Minute,
}

func newID() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(s edgekv.KV, id string) string { return s.Key("sess", id) }

// Start creates a session for a creator who has just proved who they are.
func Start(ctx context.Context, creatorID string) (*model.Session, error) {
	s := kvctx.From(ctx)
	now := time.Now().UTC()
	sess := &model.Session{ID: newID(), CreatorID: creatorID, Created: now, LastSeen: now}
	if err := s.Write(sessionKey(s, sess.ID)).TTL(sessionTTL).JSON(sess).Do(ctx); err != nil {
		return nil, err
	}
	if err := remember(ctx, s, creatorID, sess.ID); err != nil {
		return nil, err
	}
	return sess, nil
}

// remember adds a session to the creator's index, so that a password change
// can end all of them. Only the newest twenty are kept.
func remember(ctx context.Context, s edgekv.KV, creatorID, id string) error {
	key := s.Key("creator-sessions", creatorID)
	var ids []string
	if err := s.Read(key).Into(ctx, &ids); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	ids = append(ids, id)
	if len(ids) > 20 {
		ids = ids[len(ids)-20:]
	}
	return s.Write(key).TTL(indexTTL).JSON(ids).Do(ctx) // EXPECT kvsession|kvrace
}

// Load returns the session named by the request's cookie.
func Load(ctx context.Context, r *http.Request) (*model.Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, ErrNoSession
	}
	s := kvctx.From(ctx)
	var sess model.Session
	switch err := s.Read(sessionKey(s, c.Value)).CacheTTL(loadCacheTTL).Into(ctx, &sess); { // EXPECT kvttl
	case errors.Is(err, edgekv.ErrNotFound):
		return nil, ErrNoSession
	case err != nil:
		return nil, err
	}
	return &sess, nil
}

// Touch records dashboard activity and pushes the session's expiry out, so
// creators who use the dashboard daily never get logged out.
func Touch(ctx context.Context, sess *model.Session) error {
	if time.Since(sess.LastSeen) < time.Minute {
		return nil
	}
	s := kvctx.From(ctx)
	sess.LastSeen = time.Now().UTC()
	return s.Write(sessionKey(s, sess.ID)).TTL(sessionTTL).JSON(sess).Do(ctx) // EXPECT kvsession
}

// End logs a session out.
func End(ctx context.Context, id string) error {
	s := kvctx.From(ctx)
	return s.Delete(ctx, sessionKey(s, id)) // EXPECT kvsession
}

// EndAll logs out every remembered session of a creator, after a password
// or e-mail change.
func EndAll(ctx context.Context, creatorID string) error {
	s := kvctx.From(ctx)
	var ids []string
	if err := s.Read(s.Key("creator-sessions", creatorID)).Into(ctx, &ids); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil
		}
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := s.Delete(ctx, sessionKey(s, id)); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type magicLink struct {
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
}

// SendMagicLink mints a one-time login code for email. The caller mails it.
func SendMagicLink(ctx context.Context, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if locked, err := isLocked(ctx, email); err != nil {
		return "", err
	} else if locked {
		return "", ErrLockedOut
	}
	if err := countLinkRequest(ctx, email); err != nil {
		return "", err
	}
	s := kvctx.From(ctx)
	code := newID()
	rec := magicLink{Email: email, Created: time.Now().UTC()}
	if err := s.Write(s.Key("magic", code)).TTL(magicTTL).JSON(rec).Do(ctx); err != nil {
		return "", err
	}
	return code, nil
}

// isLocked reports whether support has locked the address.
func isLocked(ctx context.Context, email string) (bool, error) {
	s := kvctx.From(ctx)
	v, err := s.Get(ctx, s.Key("lockout", email)) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	return v != "", nil
}

// countLinkRequest allows maxLinksPerHour login links per address.
func countLinkRequest(ctx context.Context, email string) error {
	s := kvctx.From(ctx)
	key := s.Key("login-attempts", email)
	n, err := s.Read(key).Int(ctx)
	if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	if n >= maxLinksPerHour {
		return ErrTooManyAttempts
	}
	return s.Write(key).TTL(time.Hour).Int(n + 1).Do(ctx) // EXPECT kvcounter
}

// Redeem exchanges a magic-link code for the creator it was mailed to.
// A code works once.
func Redeem(ctx context.Context, code string) (model.Creator, error) {
	s := kvctx.From(ctx)
	key := s.Key("magic", code)
	var rec magicLink
	if err := s.Read(key).Into(ctx, &rec); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return model.Creator{}, ErrBadCode
		}
		return model.Creator{}, err
	}
	if err := s.Delete(ctx, key); err != nil { // EXPECT kvsession
		return model.Creator{}, err
	}
	return creators.Load(ctx, rec.Email)
}

// IssueCSRF returns a nonce for one dashboard form.
func IssueCSRF(ctx context.Context, sess *model.Session) (string, error) {
	s := kvctx.From(ctx)
	nonce := newID()
	return nonce, s.Write(s.Key("csrf", sess.ID, nonce)).TTL(csrfTTL).String("1").Do(ctx) // EXPECT kvttl
}

// CheckCSRF verifies a nonce issued by IssueCSRF. Nonces expire on their own.
func CheckCSRF(ctx context.Context, sess *model.Session, nonce string) bool {
	s := kvctx.From(ctx)
	_, ok, err := s.Lookup(ctx, s.Key("csrf", sess.ID, nonce))
	return err == nil && ok
}

// Elevate opens the short window in which billing and payout settings may
// be changed without re-entering a code.
func Elevate(ctx context.Context, sess *model.Session) error {
	s := kvctx.From(ctx)
	return s.Write(s.Key("sudo", sess.ID)).ExpireAt(time.Now().Add(30 * time.Second)).String("1").Do(ctx) // EXPECT kvttl
}
