// Package portal implements the customer portal's sign-in and sessions:
// magic links, OAuth sign-in through the merchant's identity provider,
// sessions, CSRF tokens and integration API keys.
package portal

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"wigeon/internal/config"
	"wigeon/internal/kvbase"
	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
	"wigeon/internal/tenant"
)

var (
	ErrNoSession = errors.New("portal: no such session")
	ErrExpired   = errors.New("portal: session expired")
	ErrBadCode   = errors.New("portal: invalid or expired code")
	ErrBadState  = errors.New("portal: invalid OAuth state")
	ErrUnknown   = errors.New("portal: unknown kind")
)

// csrfTTLSeconds bounds how long a form may stay open before submitting.
const csrfTTLSeconds = 45

// Session is a signed-in portal customer.
type Session struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenant_id"`
	CustomerID string    `json:"customer_id"`
	UserAgent  string    `json:"ua"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Sessions stores sessions under <tenant>/sess/<id>, plus the portal's
// short-lived sign-in artefacts under env-scoped keys (kvkeys.Keys).
type Sessions struct {
	kvbase.Table[Session]
	keys kvkeys.Keys
	cfg  config.Config
}

// NewSessions returns the session store over the portal namespace.
func NewSessions(kv *kvstore.Client, cfg config.Config) *Sessions {
	return &Sessions{
		Table: kvbase.Table[Session]{KV: kv, Prefix: "sess"},
		keys:  kvkeys.Keys{Env: cfg.Env},
		cfg:   cfg,
	}
}

func newID() string { return rand.Text() }

// Create starts a session for the customer.
func (s *Sessions) Create(ctx context.Context, customerID, ua string) (Session, error) {
	now := time.Now().UTC()
	ss := Session{
		ID:         newID(),
		TenantID:   tenant.From(ctx),
		CustomerID: customerID,
		UserAgent:  ua,
		CreatedAt:  now,
		LastSeen:   now,
		ExpiresAt:  now.Add(s.cfg.SessionTTL),
	}
	if err := s.PutFor(ctx, ss, s.cfg.SessionTTL, ss.ID); err != nil {
		return Session{}, err
	}
	idx := s.keys.UserSession(customerID, ss.ID)
	return ss, s.KV.PutTTL(ctx, idx, []byte(ss.TenantID), s.cfg.SessionTTL)
}

// Get shadows Table.Get and rejects expired sessions.
func (s *Sessions) Get(ctx context.Context, id string) (Session, error) {
	ss, err := s.Table.Get(ctx, id)
	if err != nil {
		if kvstore.IsNotFound(err) {
			return ss, ErrNoSession
		}
		return ss, err
	}
	if time.Now().After(ss.ExpiresAt) {
		return ss, ErrExpired
	}
	return ss, nil
}

// Touch extends an active session by the idle timeout; the portal calls it
// on every authenticated request.
func (s *Sessions) Touch(ctx context.Context, id string) error {
	now := time.Now().UTC()
	return s.Update(ctx, s.cfg.SessionIdle, func(ss *Session) error { // EXPECT kvsession
		ss.LastSeen = now
		ss.ExpiresAt = now.Add(s.cfg.SessionIdle)
		return nil
	}, id)
}

// Logout ends the session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.Delete(ctx, id) // EXPECT kvsession
}

// RevokeAll ends every session of the customer, e.g. after a password or
// e-mail change.
func (s *Sessions) RevokeAll(ctx context.Context, customerID string) error {
	prefix := s.keys.UserSessions(customerID)
	var keys []string
	_, err := s.KV.Scan(ctx, prefix, s.cfg.MaxListPages, func(k cloudflare.StorageKey) error {
		id := strings.TrimPrefix(k.Name, prefix)
		keys = append(keys, k.Name, s.Key(ctx, id))
		return nil
	})
	if err != nil {
		return err
	}
	return s.KV.DeleteMany(ctx, keys) // EXPECT kvsession
}

// IssueCSRF mints the CSRF token for a form rendered in session sessID.
func (s *Sessions) IssueCSRF(ctx context.Context, sessID string) (string, error) {
	tok := newID()
	err := s.KV.PutPairs(ctx, []*cloudflare.WorkersKVPair{{
		Key:           s.keys.CSRF(sessID + "." + tok),
		Value:         "1",
		ExpirationTTL: csrfTTLSeconds, // EXPECT kvttl
	}})
	return tok, err
}

// RevokeAPIKey blocks an integration API key until its natural expiry; the
// API gateway checks the revocation entry before accepting a key.
func (s *Sessions) RevokeAPIKey(ctx context.Context, keyID string) error {
	return s.KV.PutTTL(ctx, s.keys.Revoked(keyID), []byte(time.Now().UTC().Format(time.RFC3339)), 90*24*time.Hour) // EXPECT kvsession
}

// purgeable maps the support console's artefact kinds to their key family.
var purgeable = map[string]func(kvkeys.Keys, string) string{
	"magic": kvkeys.Keys.MagicLink,
	"oauth": kvkeys.Keys.OAuthState,
	"csrf":  kvkeys.Keys.CSRF,
}

// Purge removes one sign-in artefact by kind and ID (support console).
func (s *Sessions) Purge(ctx context.Context, kind, id string) error {
	keyOf, ok := purgeable[kind]
	if !ok {
		return ErrUnknown
	}
	return s.KV.Delete(ctx, keyOf(s.keys, id)) // EXPECT kvsession
}

// Actions are the session operations the support console may run, by name.
var Actions = map[string]func(*Sessions, context.Context, string) error{
	"logout":     (*Sessions).Logout,
	"revoke-all": (*Sessions).RevokeAll,
	"revoke-key": (*Sessions).RevokeAPIKey,
}

// IsRevoked reports whether the integration API key was revoked.
func (s *Sessions) IsRevoked(ctx context.Context, keyID string) (bool, error) {
	_, err := s.KV.Get(ctx, s.keys.Revoked(keyID))
	var nf *kvstore.NotFoundError
	if errors.As(err, &nf) {
		return false, nil
	}
	return err == nil, err
}
