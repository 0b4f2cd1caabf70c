//go:build js && wasm

// Package staff handles staff PIN logins, sessions and kitchen tablets.
package staff

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"wren/internal/config"
	"wren/internal/keys"
	"wren/internal/kvx"
	"wren/internal/store"
)

const (
	maxPINAttempts = 5
	deviceTokenTTL = 30 * 24 * time.Hour
)

// Member is a staff record, written by the back office.
type Member struct {
	ID      string `json:"id"`
	Role    string `json:"role"`
	PINHash string `json:"pin_hash"`
	Salt    string `json:"salt"`
}

// Session is a staff session.
type Session struct {
	ID      string    `json:"id"`
	StaffID string    `json:"staff_id"`
	Role    string    `json:"role"`
	Started time.Time `json:"started"`
}

// AuthError is returned when a login or token check fails.
type AuthError struct {
	Reason string
	Err    error
}

func (e *AuthError) Error() string {
	if e.Err != nil {
		return "auth: " + e.Reason + ": " + e.Err.Error()
	}
	return "auth: " + e.Reason
}

func (e *AuthError) Unwrap() error { return e.Err }

// Service authenticates one tenant's staff.
type Service struct {
	st     *kvx.Store
	tenant string
	cfg    config.Sessions
}

// New returns the staff service of a tenant.
func New(st *kvx.Store, tenant string, cfg config.Sessions) *Service {
	return &Service{st: st, tenant: tenant, cfg: cfg}
}

func hashPIN(salt, pin string) string {
	sum := sha256.Sum256([]byte(salt + ":" + pin))
	return hex.EncodeToString(sum[:])
}

// Login checks a staff PIN and opens a session.
func (s *Service) Login(ctx context.Context, staffID, pin string) (*Session, error) {
	akey := keys.Join(s.tenant, "staff", "pin-attempts", staffID)
	v, ok, err := s.st.Get(ctx, akey)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	attempts := 0
	if ok {
		attempts, _ = strconv.Atoi(v)
	}
	if attempts >= maxPINAttempts {
		return nil, &AuthError{Reason: "locked"}
	}
	var m Member
	found, err := s.st.GetJSON(ctx, keys.Join(s.tenant, "staff", staffID), &m)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if !found || subtle.ConstantTimeCompare([]byte(hashPIN(m.Salt, pin)), []byte(m.PINHash)) != 1 {
		if err := s.st.Put(ctx, akey, strconv.Itoa(attempts+1), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
			return nil, fmt.Errorf("login: %w", err)
		}
		return nil, &AuthError{Reason: "bad pin"}
	}
	sess := &Session{ID: keys.NewID(), StaffID: m.ID, Role: m.Role, Started: time.Now().UTC()}
	if err := s.st.PutJSON(ctx, keys.StaffSession(s.tenant, m.ID, sess.ID), sess, s.cfg.StaffTTL); err != nil { // DEBATABLE kvsession
		return nil, fmt.Errorf("login: %w", err)
	}
	return sess, nil
}

// Authenticate loads a staff session and, with sliding sessions, extends it.
func (s *Service) Authenticate(ctx context.Context, staffID, sid string) (*Session, error) {
	key := keys.StaffSession(s.tenant, staffID, sid)
	raw, ok, err := s.st.Get(ctx, key)
	if err != nil {
		return nil, &AuthError{Reason: "session lookup", Err: err}
	}
	if !ok {
		return nil, &AuthError{Reason: "no session"}
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return nil, &AuthError{Reason: "corrupt session", Err: err}
	}
	if s.cfg.Sliding {
		if err := s.st.Put(ctx, key, raw, s.cfg.IdleTTL); err != nil { // EXPECT kvsession
			return nil, fmt.Errorf("extend session: %w", err)
		}
	}
	return &sess, nil
}

// Logout ends a staff session.
func (s *Service) Logout(ctx context.Context, staffID, sid string) error {
	return s.st.Delete(ctx, keys.StaffSession(s.tenant, staffID, sid)) // EXPECT kvsession
}

// ChangePIN stores a new PIN hash and signs the member out everywhere.
func (s *Service) ChangePIN(ctx context.Context, m Member, pin string) error {
	m.Salt = keys.NewID()[:16]
	m.PINHash = hashPIN(m.Salt, pin)
	if err := s.st.PutJSON(ctx, keys.Join(s.tenant, "staff", m.ID), m, 0); err != nil {
		return fmt.Errorf("change pin: %w", err)
	}
	var sessions []string
	next := s.st.Pager(ctx, keys.StaffSession(s.tenant, m.ID, ""), 1000)
	for {
		names, more, err := next() // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("change pin: list sessions: %w", err)
		}
		sessions = append(sessions, names...)
		if !more {
			break
		}
	}
	return store.DeleteAll(ctx, s.st, sessions...) // EXPECT kvsession
}

// Role returns the role shown on the till screen.
func (s *Service) Role(ctx context.Context, staffID string) string {
	role, err := s.st.Namespace().GetString(keys.Join(s.tenant, "staff", staffID, "role"), nil)
	if err != nil || role == "" { // EXPECT kvnull
		return "server"
	}
	return role
}

// StartPairing registers the code shown on a new kitchen tablet.
func (s *Service) StartPairing(ctx context.Context, label string) (string, error) {
	code := keys.NewID()[:8]
	key, ttl := keys.Policy{Tenant: s.tenant}.For(keys.KindPairing, code)
	if err := s.st.Put(ctx, key, label, ttl); err != nil { // EXPECT kvttl
		return "", fmt.Errorf("pairing: %w", err)
	}
	return code, nil
}

// CompletePairing registers the tablet behind code and returns its token.
func (s *Service) CompletePairing(ctx context.Context, code string) (string, error) {
	label, ok, err := s.st.Get(ctx, keys.For(s.tenant, keys.KindPairing, code))
	if err != nil || !ok {
		return "", &AuthError{Reason: "unknown pairing code", Err: err}
	}
	deviceID := keys.NewID()
	if err := s.st.Put(ctx, keys.Join(s.tenant, "device", deviceID), label, 0); err != nil {
		return "", fmt.Errorf("pairing: %w", err)
	}
	return s.mintDeviceToken(ctx, deviceID)
}

func (s *Service) mintDeviceToken(ctx context.Context, deviceID string) (string, error) {
	tok := keys.NewID() + keys.NewID()
	if err := s.st.Put(ctx, keys.Join(s.tenant, "devtok", keys.Digest(tok)), deviceID, deviceTokenTTL); err != nil {
		return "", fmt.Errorf("mint device token: %w", err)
	}
	return tok, nil
}

// RefreshDevice rotates a tablet's refresh token.
func (s *Service) RefreshDevice(ctx context.Context, tok string) (string, error) {
	oldKey := keys.Join(s.tenant, "devtok", keys.Digest(tok))
	deviceID, ok, err := s.st.Get(ctx, oldKey)
	if err != nil || !ok {
		return "", &AuthError{Reason: "unknown device token", Err: err}
	}
	if _, revoked, err := s.st.Get(ctx, keys.Join(s.tenant, "revoked", deviceID)); err != nil || revoked {
		return "", &AuthError{Reason: "device revoked", Err: err}
	}
	fresh, err := s.mintDeviceToken(ctx, deviceID)
	if err != nil {
		return "", err
	}
	if err := s.st.Delete(ctx, oldKey); err != nil { // EXPECT kvsession
		return "", fmt.Errorf("rotate device token: %w", err)
	}
	return fresh, nil
}

// RevokeDevice blocks a lost or stolen tablet.
func (s *Service) RevokeDevice(ctx context.Context, deviceID, by string) error {
	entry, _ := json.Marshal(map[string]string{"by": by, "at": time.Now().UTC().Format(time.RFC3339)})
	return s.st.Put(ctx, keys.Join(s.tenant, "revoked", deviceID), string(entry), deviceTokenTTL) // EXPECT kvsession
}
