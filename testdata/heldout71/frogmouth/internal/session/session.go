// Package session manages console sign-in for tenant administrators: browser
// sessions, magic links, OAuth sign-in with the identity provider, and the
// personal API tokens used by the CLI.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

// ErrNoSession is returned when a session id is unknown or expired.
var ErrNoSession = errors.New("session: not signed in")

// ErrTooManyAttempts is returned after repeated failed sign-ins.
var ErrTooManyAttempts = errors.New("session: too many attempts")

const (
	sessionLifetime    = 12 * time.Hour
	idleTimeout        = 2 * time.Hour
	magicLinkLifetime  = 15 * time.Minute
	oauthStateLifetime = 45 * time.Second
	attemptWindow      = 15 * time.Minute
	maxAttempts        = 5
)

// Session is a signed-in console user.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	Email     string    `json:"email"`
	Tenant    string    `json:"tenant"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Manager stores sessions and sign-in artefacts in the auth namespace.
type Manager struct {
	store *kvstore.Store
}

// NewManager returns a manager over the auth namespace.
func NewManager(store *kvstore.Store) *Manager { return &Manager{store: store} }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessKey(id string) string              { return "sess:" + id }
func userSessKey(uid, id string) string     { return "user-sess:" + uid + ":" + id }
func magicKey(token string) string          { return "magic:" + token }
func oauthStateKey(state string) string     { return "oauth-state:" + state }
func attemptsKey(email string) string       { return "attempts:" + strings.ToLower(email) }
func revokedKey(jti string) string          { return "revoked:" + jti }
func (s *Session) marshal() ([]byte, error) { return json.Marshal(s) }

// Create starts a new session for a verified user.
func (m *Manager) Create(ctx context.Context, uid, email, tenant string) (*Session, error) {
	now := time.Now().UTC()
	s := &Session{
		ID: randomID(24), UserID: uid, Email: email, Tenant: tenant,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(sessionLifetime),
	}
	buf, err := s.marshal()
	if err != nil {
		return nil, err
	}
	if err := m.store.Put(ctx, sessKey(s.ID), buf, sessionLifetime); err != nil {
		return nil, err
	}
	meta := map[string]string{"created": now.Format(time.RFC3339)}
	if err := m.store.PutWithMetadata(ctx, userSessKey(uid, s.ID), nil, sessionLifetime, meta); err != nil {
		return nil, err
	}
	return s, nil
}

func (m *Manager) load(ctx context.Context, id string) (*Session, error) {
	raw, err := m.store.Get(ctx, sessKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	if time.Now().After(s.ExpiresAt) {
		return nil, ErrNoSession
	}
	return &s, nil
}

// Authenticate resolves the session cookie of r and slides its idle timeout.
func (m *Manager) Authenticate(r *http.Request) (*Session, error) {
	c, err := r.Cookie("fm_session")
	if err != nil {
		return nil, ErrNoSession
	}
	s, err := m.load(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if now.Sub(s.LastSeen) > idleTimeout {
		return nil, ErrNoSession
	}
	s.LastSeen = now
	s.ExpiresAt = now.Add(idleTimeout)
	if hard := s.CreatedAt.Add(sessionLifetime); hard.Before(s.ExpiresAt) {
		s.ExpiresAt = hard
	}
	buf, err := s.marshal()
	if err != nil {
		return nil, err
	}
	if err := m.store.Put(r.Context(), sessKey(s.ID), buf, idleTimeout); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s, nil
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, s *Session) error {
	if err := m.store.Delete(ctx, sessKey(s.ID)); err != nil { // EXPECT kvsession
		return err
	}
	return m.store.Delete(ctx, userSessKey(s.UserID, s.ID))
}

// IssueMagicLink stores a one-time sign-in token for email and returns it.
func (m *Manager) IssueMagicLink(ctx context.Context, email, tenant string) (string, error) {
	if err := m.checkAttempts(ctx, email); err != nil {
		return "", err
	}
	token := randomID(32)
	buf, _ := json.Marshal(map[string]string{"email": email, "tenant": tenant})
	if err := m.store.Put(ctx, magicKey(token), buf, magicLinkLifetime); err != nil {
		return "", err
	}
	return token, nil
}

// checkAttempts rate-limits sign-in requests per address.
func (m *Manager) checkAttempts(ctx context.Context, email string) error {
	n := 0
	raw, err := m.store.Get(ctx, attemptsKey(email))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= maxAttempts {
		return ErrTooManyAttempts
	}
	return m.store.Put(ctx, attemptsKey(email), []byte(strconv.Itoa(n+1)), attemptWindow) // EXPECT kvcounter|kvrace
}

// RedeemMagicLink consumes token and signs the user in.
func (m *Manager) RedeemMagicLink(ctx context.Context, token string, lookupUser func(email string) (string, error)) (*Session, error) {
	raw, err := m.store.Get(ctx, magicKey(token))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var link struct {
		Email  string `json:"email"`
		Tenant string `json:"tenant"`
	}
	if err := json.Unmarshal(raw, &link); err != nil {
		return nil, err
	}
	if err := m.store.Delete(ctx, magicKey(token)); err != nil { // EXPECT kvsession
		return nil, err
	}
	uid, err := lookupUser(link.Email)
	if err != nil {
		return nil, err
	}
	return m.Create(ctx, uid, link.Email, link.Tenant)
}

// BeginOAuth stores the PKCE verifier under a fresh state value.
func (m *Manager) BeginOAuth(ctx context.Context, verifier, returnTo string) (string, error) {
	state := randomID(16)
	buf, _ := json.Marshal(map[string]string{"verifier": verifier, "return_to": returnTo})
	err := m.store.PutAt(ctx, oauthStateKey(state), buf,
		time.Now().Add(oauthStateLifetime), // EXPECT kvttl
	)
	return state, err
}

// CompleteOAuth returns the verifier and return path for state, once.
func (m *Manager) CompleteOAuth(ctx context.Context, state string) (verifier, returnTo string, err error) {
	raw, err := m.store.Get(ctx, oauthStateKey(state))
	if err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return "", "", ErrNoSession
		}
		return "", "", err
	}
	var st map[string]string
	if err := json.Unmarshal(raw, &st); err != nil {
		return "", "", err
	}
	if err := m.store.Delete(ctx, oauthStateKey(state)); err != nil { // EXPECT kvsession
		return "", "", err
	}
	return st["verifier"], st["return_to"], nil
}

// RecentSessions returns the newest few sessions of a user for the account
// page.
func (m *Manager) RecentSessions(ctx context.Context, uid string) ([]string, string, error) {
	page, err := m.store.List(ctx, "user-sess:"+uid+":", "",
		5, // EXPECT kvlimits
	)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, "user-sess:"+uid+":"))
	}
	return ids, page.Cursor, nil
}

// SignOutEverywhere ends every session of a user, e.g. after a password
// change.
func (m *Manager) SignOutEverywhere(ctx context.Context, uid string) (int, error) {
	prefix := "user-sess:" + uid + ":"
	n, cursor := 0, ""
	for {
		page, err := m.store.List(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range page.Keys {
			id := strings.TrimPrefix(k.Name, prefix)
			if err := m.store.Delete(ctx, sessKey(id)); err != nil { // EXPECT kvsession
				return n, err
			}
			n++
		}
		if page.Done() {
			return n, nil
		}
		cursor = page.Cursor
	}
}

// RevokeToken puts a personal API token's id on the deny list until the
// token would have expired anyway.
func (m *Manager) RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error {
	ttl := max(time.Until(expiresAt), time.Minute)
	return m.store.Put(ctx, revokedKey(jti), []byte("1"), ttl) // EXPECT kvsession
}
