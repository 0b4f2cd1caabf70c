// Package session keeps console sessions and refresh tokens. Session records
// are JSON under the configured session key; refresh tokens live under their
// own keys so a rotation does not touch the session record.
package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/estuary/internal/config"
	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore"
)

// ErrNoSession means the session is missing, expired or revoked.
var ErrNoSession = errors.New("session: no valid session")

// Record is a stored session.
type Record struct {
	ID        ids.Token     `json:"id"`
	Account   ids.AccountID `json:"account"`
	CSRF      ids.Token     `json:"csrf"`
	IssuedAt  time.Time     `json:"iat"`
	LastSeen  time.Time     `json:"seen"`
	ExpiresAt time.Time     `json:"exp"`
	// ElevatedUntil is set when the user re-enters their password, which
	// sensitive actions require within the last few minutes.
	ElevatedUntil time.Time `json:"elev,omitzero"`
}

type refreshRecord struct {
	Account  ids.AccountID `json:"account"`
	IssuedAt time.Time     `json:"iat"`
}

// Manager creates, loads and ends sessions.
type Manager struct {
	store kvstore.Store
	cfg   config.Session
	keys  config.KeyFormats
	now   func() time.Time
}

// New returns a Manager writing to store.
func New(store kvstore.Store, cfg config.Session, keys config.KeyFormats) *Manager {
	return &Manager{store: store, cfg: cfg, keys: keys, now: time.Now}
}

func (m *Manager) key(id ids.Token) string       { return fmt.Sprintf(m.keys.Session, id) }
func (m *Manager) refreshKey(t ids.Token) string { return fmt.Sprintf(m.keys.Refresh, t) }
func revokedKey(acct ids.AccountID) string       { return "revoked/" + acct.String() }

// Create starts a session for acct.
func (m *Manager) Create(ctx context.Context, acct ids.AccountID) (*Record, error) {
	now := m.now()
	rec := &Record{
		ID:        ids.NewToken(32),
		Account:   acct,
		CSRF:      ids.NewToken(16),
		IssuedAt:  now,
		LastSeen:  now,
		ExpiresAt: now.Add(m.cfg.TTL.Std()),
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := m.store.Put(ctx, m.key(rec.ID), b, kvstore.PutOptions{TTL: m.cfg.TTL.Std()}); err != nil {
		return nil, fmt.Errorf("session: create: %w", err)
	}
	return rec, nil
}

// Load returns the session id names, or ErrNoSession.
func (m *Manager) Load(ctx context.Context, id ids.Token) (*Record, error) {
	b, err := m.store.Get(ctx, m.key(id))
	if kvstore.IsNotFound(err) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("session: load: %w", err)
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("session: decode: %w", err)
	}
	now := m.now()
	if now.After(rec.ExpiresAt) || now.Sub(rec.LastSeen) > m.cfg.Idle.Std() {
		return nil, ErrNoSession
	}
	rb, err := m.store.Get(ctx, revokedKey(rec.Account))
	switch {
	case err == nil:
		if t, perr := time.Parse(time.RFC3339Nano, string(rb)); perr == nil && !rec.IssuedAt.After(t) {
			return nil, ErrNoSession
		}
	case !kvstore.IsNotFound(err):
		return nil, fmt.Errorf("session: revocation check: %w", err)
	}
	return &rec, nil
}

// Touch records activity so the idle timeout slides forward.
func (m *Manager) Touch(ctx context.Context, rec *Record) error {
	rec.LastSeen = m.now()
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return m.store.Put(ctx, m.key(rec.ID), b, kvstore.PutOptions{ExpireAt: rec.ExpiresAt}) // EXPECT kvsession
}

// Elevate records a successful re-authentication on the session id names.
func (m *Manager) Elevate(ctx context.Context, id ids.Token, d time.Duration) error {
	rec, err := m.Load(ctx, id)
	if err != nil {
		return err
	}
	rec.ElevatedUntil = m.now().Add(d)
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return m.store.Put(ctx, m.key(id), b, kvstore.PutOptions{ExpireAt: rec.ExpiresAt}) // EXPECT kvsession
}

// End logs the session out.
func (m *Manager) End(ctx context.Context, rec *Record) error {
	return m.store.Delete(ctx, m.key(rec.ID)) // EXPECT kvsession
}

// RevokeAll invalidates every session acct holds that was issued before now.
func (m *Manager) RevokeAll(ctx context.Context, acct ids.AccountID) error {
	stamp := []byte(m.now().UTC().Format(time.RFC3339Nano))
	return m.store.Put(ctx, revokedKey(acct), stamp, kvstore.PutOptions{TTL: m.cfg.TTL.Std()}) // EXPECT kvsession
}

// IssueRefresh mints a refresh token for rec's account.
func (m *Manager) IssueRefresh(ctx context.Context, rec *Record) (ids.Token, error) {
	tok := ids.NewToken(32)
	b, err := json.Marshal(refreshRecord{Account: rec.Account, IssuedAt: m.now()})
	if err != nil {
		return "", err
	}
	if err := m.store.Put(ctx, m.refreshKey(tok), b, kvstore.PutOptions{TTL: m.cfg.RefreshTTL.Std()}); err != nil {
		return "", fmt.Errorf("session: refresh: %w", err)
	}
	return tok, nil
}

// Rotate exchanges a refresh token for a new session and a new refresh token.
func (m *Manager) Rotate(ctx context.Context, old ids.Token) (*Record, ids.Token, error) {
	b, err := m.store.Get(ctx, m.refreshKey(old))
	if kvstore.IsNotFound(err) {
		return nil, "", ErrNoSession
	}
	if err != nil {
		return nil, "", err
	}
	var rr refreshRecord
	if err := json.Unmarshal(b, &rr); err != nil {
		return nil, "", fmt.Errorf("session: refresh decode: %w", err)
	}
	rec, err := m.Create(ctx, rr.Account)
	if err != nil {
		return nil, "", err
	}
	next, err := m.IssueRefresh(ctx, rec)
	if err != nil {
		return nil, "", err
	}
	if err := m.store.Delete(ctx, m.refreshKey(old)); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	return rec, next, nil
}

// IssueNonce returns a single-use nonce for a console form post.
func (m *Manager) IssueNonce(ctx context.Context, rec *Record) (ids.Token, error) {
	n := ids.NewToken(16)
	err := m.store.Put(ctx, "nonce/"+n.String(), []byte(rec.ID), kvstore.PutOptions{TTL: 30 * time.Second}) // EXPECT kvttl
	return n, err
}

type ctxKey struct{}

// FromContext returns the session the middleware attached, if any.
func FromContext(ctx context.Context) (*Record, bool) {
	rec, ok := ctx.Value(ctxKey{}).(*Record)
	return rec, ok
}

// Middleware loads the session named by the cookie, touches it and attaches it
// to the request context. Requests without a valid session get 401.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(m.cfg.Cookie)
		if err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		rec, err := m.Load(r.Context(), ids.Token(c.Value))
		if err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		if err := m.Touch(r.Context(), rec); err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, rec)))
	})
}
