// Package session stores installer and homeowner sessions in Workers KV.
package session

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/motmot-energy/motmot/internal/choose"
	"github.com/motmot-energy/motmot/internal/keys"
	"github.com/motmot-energy/motmot/internal/kvv6"
)

// Role distinguishes installer sessions from homeowner sessions.
type Role string

const (
	Installer Role = "installer"
	Homeowner Role = "homeowner"
)

const (
	installerLifetime = 8 * time.Hour
	homeownerLifetime = 30 * 24 * time.Hour
	revocationWindow  = 24 * time.Hour
)

// ErrNoSession means the session ID is unknown or expired.
var ErrNoSession = errors.New("session: not found")

// Record is the stored form of a session.
type Record struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	Role      Role      `json:"role"`
	HomeIDs   []string  `json:"homes"`
	ActiveID  string    `json:"active,omitempty"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created"`
	LastSeen  time.Time `json:"seen"`
}

// Manager creates, loads and ends sessions.
type Manager struct {
	KV *kvv6.Store
	// Factor scales session lifetimes (1 when zero); staging runs at 0.25.
	Factor float64
}

func newID() string {
	b := make([]byte, 32)
	_, _ = crand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// slot returns the key and lifetime of a session.
func (m *Manager) slot(role Role, id string) (string, time.Duration) {
	base := choose.If(role == Installer, installerLifetime, homeownerLifetime)
	return keys.Session(string(role), id), time.Duration(float64(base) * choose.FirstNonZero(m.Factor, 1))
}

// Create starts a session for userID and returns it.
func (m *Manager) Create(ctx context.Context, userID string, role Role, homes []string) (*Record, error) {
	rec := &Record{
		ID:        newID(),
		UserID:    userID,
		Role:      role,
		HomeIDs:   homes,
		CSRF:      newID(),
		CreatedAt: time.Now().UTC(),
	}
	rec.LastSeen = rec.CreatedAt
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := m.KV.Entry(m.slot(role, rec.ID)).Write(ctx, body); err != nil {
		return nil, err
	}
	if err := m.index(ctx, userID, rec.ID); err != nil {
		return nil, fmt.Errorf("index session: %w", err)
	}
	return rec, nil
}

// index adds sessionID to the user's session index.
func (m *Manager) index(ctx context.Context, userID, sessionID string) error {
	key := keys.SessionIndex(userID)
	var ids []string
	raw, err := m.KV.Get(ctx, key)
	switch {
	case errors.Is(err, kvv6.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	}
	ids = append(ids, sessionID)
	body, _ := json.Marshal(ids)
	return m.KV.Put(ctx, key, body, kvv6.PutOpts{TTL: homeownerLifetime}) // EXPECT kvrace
}

// Load fetches a session.
func (m *Manager) Load(ctx context.Context, role Role, id string) (*Record, error) {
	key, _ := m.slot(role, id)
	raw, err := m.KV.Get(ctx, key)
	if errors.Is(err, kvv6.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// Logout ends one session.
func (m *Manager) Logout(ctx context.Context, role Role, id string) error {
	return m.KV.Delete(ctx, keys.Session(string(role), id)) // EXPECT kvsession
}

// RevokeAll ends every session of userID, e.g. after a password change, and
// leaves a revocation marker for each so edge checks refuse them.
func (m *Manager) RevokeAll(ctx context.Context, userID string) error {
	raw, err := m.KV.Get(ctx, keys.SessionIndex(userID))
	if errors.Is(err, kvv6.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		err := m.KV.Put(ctx, "revoked:"+id, []byte(userID), kvv6.PutOpts{TTL: revocationWindow}) // EXPECT kvsession
		errs = append(errs, err)
		for _, role := range []Role{Installer, Homeowner} {
			errs = append(errs, m.KV.Delete(ctx, keys.Session(string(role), id))) // EXPECT kvsession
		}
	}
	return errors.Join(errs...)
}

// Revoked reports whether id carries a revocation marker.
func (m *Manager) Revoked(ctx context.Context, id string) (bool, error) {
	_, err := m.KV.Get(ctx, "revoked:"+id)
	if errors.Is(err, kvv6.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

type dirty uint8

const (
	dirtySeen dirty = 1 << iota
	dirtyActive
	dirtyCSRF
)

// State is the session of the current request. Handlers embed it, call
// Load once, mutate through its methods and Save before responding.
type State struct {
	Sessions *Manager
	Rec      Record
	key      string
	ttl      time.Duration
	dirty    dirty
}

// Load reads the session identified by id into the state.
func (s *State) Load(ctx context.Context, role Role, id string) error {
	s.key, s.ttl = s.Sessions.slot(role, id)
	raw, err := s.Sessions.KV.Get(ctx, s.key)
	if errors.Is(err, kvv6.ErrNotFound) {
		return ErrNoSession
	}
	if err != nil {
		return err
	}
	s.dirty = 0
	return json.Unmarshal(raw, &s.Rec)
}

// Touch records activity; sessions slide forward from the last request.
func (s *State) Touch(now time.Time) {
	s.Rec.LastSeen = now.UTC()
	s.dirty |= dirtySeen
}

// SelectHome switches the active home if the session may see it.
func (s *State) SelectHome(homeID string) bool {
	if !slices.Contains(s.Rec.HomeIDs, homeID) {
		return false
	}
	if s.Rec.ActiveID != homeID {
		s.Rec.ActiveID = homeID
		s.dirty |= dirtyActive
	}
	return true
}

// RotateCSRF issues a fresh CSRF token for the session.
func (s *State) RotateCSRF() string {
	s.Rec.CSRF = newID()
	s.dirty |= dirtyCSRF
	return s.Rec.CSRF
}

// Save writes the session back when something changed.
func (s *State) Save(ctx context.Context) error {
	if s.dirty == 0 {
		return nil
	}
	body, err := json.Marshal(&s.Rec)
	if err != nil {
		return err
	}
	if err := s.Sessions.KV.Put(ctx, s.key, body, kvv6.PutOpts{TTL: s.ttl}); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	s.dirty = 0
	return nil
}
