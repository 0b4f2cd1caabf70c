//go:build js && wasm

// Package auth handles driver sign-in at the edge: sessions, e-mail magic
// links, SMS codes for pay-by-phone, app refresh tokens and staff SSO.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/edgekv"
	"github.com/cityparking/nuthatch/internal/kvkeys"
)

const (
	magicLinkLifetime = 15 * time.Minute
	refreshLifetime   = 60 * 24 * time.Hour
	oauthStateTTL     = 600
	maxOTPAttempts    = 5
)

// ErrTooManyAttempts is returned when a phone number has failed too often.
var ErrTooManyAttempts = errors.New("auth: too many attempts")

func token(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Session is a signed-in driver, bound to the namespace it lives in.
type Session struct {
	ID        kvkeys.SessionID `json:"-"`
	UserID    string           `json:"user_id"`
	CreatedAt time.Time        `json:"created_at"`
	LastSeen  time.Time        `json:"last_seen"`
	ExpiresAt time.Time        `json:"expires_at"`

	ns   *edgekv.Namespace
	idle time.Duration
	clk  clock.Clock
}

// Touch slides the session's expiry forward on activity.
func (s *Session) Touch() error {
	now := s.clk.Now()
	s.LastSeen, s.ExpiresAt = now, now.Add(s.idle)
	body, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return s.ns.Put(s.ID, string(body), s.idle) // EXPECT kvsession
}

// Revoke signs the session out.
func (s *Session) Revoke() error {
	return s.ns.Delete(s.ID) // EXPECT kvsession
}

// Sessions creates and finds driver sessions.
type Sessions struct {
	NS    *edgekv.Namespace
	Clock clock.Clock
	// Idle is how long a session lives without activity.
	Idle time.Duration
}

// Create starts a session for userID.
func (ss *Sessions) Create(userID string) (*Session, error) {
	id, err := token(32)
	if err != nil {
		return nil, err
	}
	now := ss.Clock.Now()
	s := &Session{ID: kvkeys.SessionID(id), UserID: userID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(ss.Idle), ns: ss.NS, idle: ss.Idle, clk: ss.Clock}
	body, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := ss.NS.Put(s.ID, string(body), ss.Idle); err != nil { // DEBATABLE kvsession
		return nil, err
	}
	return s, ss.index(userID, id)
}

// index remembers a user's session IDs so they can all be signed out.
func (ss *Sessions) index(userID, id string) error {
	key := kvkeys.UserSessions(userID)
	var ids []string
	raw, err := ss.NS.Get(key)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return err
		}
	case !errors.Is(err, domain.ErrNotFound):
		return err
	}
	ids = append(ids, id)
	body, _ := json.Marshal(ids)
	return ss.NS.Put(key, string(body), 0) // EXPECT kvsession|kvrace
}

// Find loads a session by ID.
func (ss *Sessions) Find(id string) (*Session, error) {
	raw, err := ss.NS.Get(kvkeys.SessionID(id))
	if errors.Is(err, domain.ErrNotFound) {
		return nil, domain.ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	s := &Session{ID: kvkeys.SessionID(id), ns: ss.NS, idle: ss.Idle, clk: ss.Clock}
	if err := json.Unmarshal([]byte(raw), s); err != nil {
		return nil, err
	}
	if ss.Clock.Now().After(s.ExpiresAt) {
		return nil, domain.ErrExpired
	}
	return s, nil
}

// RevokeAll signs a user out everywhere, e.g. after a password change.
func (ss *Sessions) RevokeAll(userID string) error {
	raw, err := ss.NS.Get(kvkeys.UserSessions(userID))
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return err
	}
	del := (*edgekv.Namespace).Delete
	var errs []error
	for _, id := range ids {
		if err := del(ss.NS, kvkeys.SessionID(id)); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Links issues and redeems e-mail sign-in links.
type Links struct {
	NS    *edgekv.Namespace
	Clock clock.Clock
}

// Issue creates a single-use link token for email.
func (l *Links) Issue(email string) (string, error) {
	tok, err := token(24)
	if err != nil {
		return "", err
	}
	err = l.NS.Raw().PutString(kvkeys.MagicLink(tok).String(), email, &kv.PutOptions{
		ExpirationTTL: int(magicLinkLifetime), // EXPECT kvttl
	})
	return tok, err
}

// Redeem consumes a link token and returns its e-mail address.
func (l *Links) Redeem(tok string) (string, error) {
	email, err := l.NS.Get(kvkeys.MagicLink(tok))
	if errors.Is(err, domain.ErrNotFound) {
		return "", domain.ErrExpired
	}
	if err != nil {
		return "", err
	}
	if err := l.NS.Delete(kvkeys.MagicLink(tok)); err != nil { // EXPECT kvsession
		return "", err
	}
	return email, nil
}

// Phones verifies phone numbers with SMS codes.
type Phones struct {
	NS    *edgekv.Namespace
	Clock clock.Clock
	Send  func(phone, code string) error
}

// SendCode texts a six-digit code to phone.
func (p *Phones) SendCode(phone string) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if err := p.NS.Put(kvkeys.OTP(phone), code, 30*time.Second); err != nil { // EXPECT kvttl
		return err
	}
	return p.Send(phone, code)
}

// Verify checks a code and consumes it on success.
func (p *Phones) Verify(phone, code string) error {
	attemptsKey := "auth/attempts/" + phone
	prev, err := p.NS.Raw().GetString(attemptsKey, nil)
	if err != nil {
		return err
	}
	attempts := 0
	if prev != "<null>" {
		attempts, _ = strconv.Atoi(prev)
	}
	if attempts >= maxOTPAttempts {
		return ErrTooManyAttempts
	}
	if err := p.NS.Raw().PutString(attemptsKey, strconv.Itoa(attempts+1), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	want, err := p.NS.Get(kvkeys.OTP(phone))
	if errors.Is(err, domain.ErrNotFound) {
		return domain.ErrExpired
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		return domain.ErrUnauthorized
	}
	return p.NS.Delete(kvkeys.OTP(phone)) // EXPECT kvsession
}

// Refresh rotates mobile app refresh tokens.
type Refresh struct {
	NS    *edgekv.Namespace
	Clock clock.Clock
}

// Mint creates a refresh token for userID.
func (r *Refresh) Mint(userID string) (string, error) {
	tok, err := token(32)
	if err != nil {
		return "", err
	}
	return tok, r.NS.PutUntil(kvkeys.RefreshToken(tok), userID, r.Clock.Now().Add(refreshLifetime))
}

// Rotate exchanges a refresh token for a new one.
func (r *Refresh) Rotate(old string) (string, string, error) {
	userID, err := r.NS.Get(kvkeys.RefreshToken(old))
	if errors.Is(err, domain.ErrNotFound) {
		return "", "", domain.ErrUnauthorized
	}
	if err != nil {
		return "", "", err
	}
	if err := r.NS.Delete(kvkeys.RefreshToken(old)); err != nil { // EXPECT kvsession
		return "", "", err
	}
	next, err := r.Mint(userID)
	return userID, next, err
}

// Staff handles city staff single sign-on.
type Staff struct {
	NS    *edgekv.Namespace
	Clock clock.Clock
}

// Begin stores the OAuth state and returns it.
func (st *Staff) Begin(returnTo string) (string, error) {
	state, err := token(16)
	if err != nil {
		return "", err
	}
	return state, st.NS.Raw().PutString(kvkeys.OAuthState(state).String(), returnTo, &kv.PutOptions{ExpirationTTL: oauthStateTTL})
}

// Complete validates the state of the callback and returns where to go next.
func (st *Staff) Complete(state string) (string, error) {
	returnTo, err := st.NS.Raw().GetString(kvkeys.OAuthState(state).String(), nil)
	if err != nil {
		return "", err
	}
	if returnTo == "" { // EXPECT kvnull
		return "", domain.ErrUnauthorized
	}
	if err := st.NS.Delete(kvkeys.OAuthState(state)); err != nil { // EXPECT kvsession
		return "", err
	}
	return returnTo, nil
}

// Deny adds an access token ID to the deny list until the token expires.
func (st *Staff) Deny(jti string, exp time.Time) error {
	return st.NS.PutUntil(kvkeys.Revoked(jti), "1", exp) // EXPECT kvsession
}

// Denied reports whether an access token ID is on the deny list.
func (st *Staff) Denied(jti string) (bool, error) {
	_, err := st.NS.GetCached(kvkeys.Revoked(jti), time.Minute)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
