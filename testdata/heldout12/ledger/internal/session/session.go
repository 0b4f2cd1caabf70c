// Package session manages staff sessions for the point-of-sale app: login
// sessions, refresh tokens and one-time PINs sent by SMS.
package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"example.com/ledger/internal/config"
	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/storage"
)

var (
	ErrNoSession = errors.New("session: not found or expired")
	ErrBadOTP    = errors.New("session: invalid code")
	ErrLocked    = errors.New("session: too many attempts")
)

// Session is a signed-in staff member on one terminal.
type Session struct {
	ID        string    `json:"id"`
	StaffID   string    `json:"staff_id"`
	ShopID    string    `json:"shop_id"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Key returns the session's storage key.
func (s Session) Key() string { return consts.PrefixSession.Key(s.ID) }

// Refresh is a long-lived token that mints new sessions.
type Refresh struct {
	Token   string    `json:"token"`
	StaffID string    `json:"staff_id"`
	ShopID  string    `json:"shop_id"`
	Role    string    `json:"role"`
	Issued  time.Time `json:"issued"`
}

// Manager stores sessions in the sessions namespace.
type Manager struct {
	kv  storage.Store
	cfg config.Sessions
	now func() time.Time
}

// NewManager returns a Manager.
func NewManager(kv storage.Store, cfg config.Sessions) *Manager {
	return &Manager{kv: kv, cfg: cfg, now: time.Now}
}

func token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session after a successful PIN login.
func (m *Manager) Create(ctx context.Context, staffID, shopID, role string) (Session, error) {
	now := m.now().UTC()
	s := Session{
		ID: token(24), StaffID: staffID, ShopID: shopID, Role: role,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(m.cfg.TTL),
	}
	b, _ := json.Marshal(s)
	return s, m.kv.Put(ctx, s.Key(), string(b), storage.WithTTL(m.cfg.TTL)) // DEBATABLE kvsession
}

// Lookup returns a live session.
func (m *Manager) Lookup(ctx context.Context, id string) (Session, error) {
	var s Session
	raw, err := m.kv.Get(ctx, consts.PrefixSession.Key(id))
	if storage.IsNotFound(err) {
		return s, ErrNoSession
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, err
	}
	if m.now().After(s.ExpiresAt) || m.now().Sub(s.LastSeen) > m.cfg.IdleTimeout {
		return s, ErrNoSession
	}
	return s, nil
}

// Touch records activity so that idle sessions time out but busy terminals
// stay signed in.
func (m *Manager) Touch(ctx context.Context, s Session) (Session, error) {
	now := m.now().UTC()
	if now.Sub(s.LastSeen) < time.Minute {
		return s, nil
	}
	s.LastSeen = now
	s.ExpiresAt = now.Add(m.cfg.TTL)
	b, _ := json.Marshal(s)
	return s, m.kv.Put(ctx, s.Key(), string(b), storage.WithTTL(m.cfg.TTL)) // EXPECT kvsession
}

// IssueOTP stores a six-digit code for staffID and returns it for delivery.
func (m *Manager) IssueOTP(ctx context.Context, staffID string) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	n := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) % 1000000
	code := fmt.Sprintf("%06d", n)
	return code, m.kv.Put(ctx, consts.PrefixOTP.Key(staffID), code,
		storage.WithTTL(consts.OTPTTL)) // EXPECT kvttl
}

// VerifyOTP checks code and consumes it.
func (m *Manager) VerifyOTP(ctx context.Context, staffID, code string) error {
	key := consts.PrefixOTP.Key(staffID)
	want, err := m.kv.Get(ctx, key)
	if storage.IsNotFound(err) {
		return ErrBadOTP
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		return ErrBadOTP
	}
	return m.kv.Delete(ctx, key) // EXPECT kvsession
}

// RecordFailedPIN counts a failed PIN entry and reports whether the staff
// member is now locked out.
func (m *Manager) RecordFailedPIN(ctx context.Context, staffID string) error {
	key := consts.PrefixAttempts.Key(staffID)
	n := 0
	raw, err := m.kv.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(raw)
	case !storage.IsNotFound(err):
		return err
	}
	n++
	if err := m.kv.Put(ctx, key, strconv.Itoa(n), storage.WithTTL(15*time.Minute)); err != nil { // EXPECT kvcounter
		return err
	}
	if n >= m.cfg.MaxPINAttempts {
		return ErrLocked
	}
	return nil
}

// IssueRefresh mints a refresh token for a session.
func (m *Manager) IssueRefresh(ctx context.Context, s Session) (Refresh, error) {
	r := Refresh{Token: token(32), StaffID: s.StaffID, ShopID: s.ShopID, Role: s.Role, Issued: m.now().UTC()}
	b, _ := json.Marshal(r)
	return r, m.kv.Put(ctx, consts.PrefixRefresh.Key(r.Token), string(b), storage.WithTTL(m.cfg.RefreshTTL))
}

// Rotate exchanges a refresh token for a new session and a new refresh token.
func (m *Manager) Rotate(ctx context.Context, tok string) (Session, Refresh, error) {
	key := consts.PrefixRefresh.Key(tok)
	raw, err := m.kv.Get(ctx, key)
	if storage.IsNotFound(err) {
		return Session{}, Refresh{}, ErrNoSession
	}
	if err != nil {
		return Session{}, Refresh{}, err
	}
	var old Refresh
	if err := json.Unmarshal([]byte(raw), &old); err != nil {
		return Session{}, Refresh{}, err
	}
	if err := m.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return Session{}, Refresh{}, err
	}
	s, err := m.Create(ctx, old.StaffID, old.ShopID, old.Role)
	if err != nil {
		return s, Refresh{}, err
	}
	r, err := m.IssueRefresh(ctx, s)
	return s, r, err
}

// Revoke adds a refresh token to the deny list consulted by Rotate callers.
func (m *Manager) Revoke(ctx context.Context, tok string) error {
	var list []string
	raw, err := m.kv.Get(ctx, consts.KeyRevokedTokens)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return err
		}
	case !storage.IsNotFound(err):
		return err
	}
	if slices.Contains(list, tok) {
		return nil
	}
	list = append(list, tok)
	b, _ := json.Marshal(list)
	return m.kv.Put(ctx, consts.KeyRevokedTokens, string(b)) // EXPECT kvsession|kvrace
}

// IsRevoked reports whether tok is on the deny list.
func (m *Manager) IsRevoked(ctx context.Context, tok string) (bool, error) {
	raw, err := m.kv.Get(ctx, consts.KeyRevokedTokens, storage.CacheFor(time.Minute))
	if storage.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var list []string
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return false, err
	}
	return slices.Contains(list, tok), nil
}
