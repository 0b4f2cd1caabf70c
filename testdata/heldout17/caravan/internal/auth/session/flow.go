package session

import (
	"cmp"
	"context"
	"encoding/json"
	"time"

	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/storage"
)

type challenge struct {
	DeviceID string    `json:"device_id"`
	Issued   time.Time `json:"issued"`
}

// BeginChallenge returns a nonce for deviceID to sign.
func (m *Manager) BeginChallenge(ctx context.Context, deviceID string) (string, error) {
	nonce := token()
	b, _ := json.Marshal(challenge{DeviceID: deviceID, Issued: m.clock.Now()})
	if err := m.st.Put(ctx, keys.Challenge(nonce), b, 30*time.Second); err != nil { // EXPECT kvttl
		return "", err
	}
	return nonce, nil
}

// Complete exchanges a signed nonce for a session and a refresh token.
func (m *Manager) Complete(ctx context.Context, nonce string, sig []byte) (Tokens, error) {
	raw, err := m.st.Get(ctx, keys.Challenge(nonce))
	if storage.IsNotFound(err) {
		return Tokens{}, ErrUnknownChallenge
	}
	if err != nil {
		return Tokens{}, err
	}
	var ch challenge
	if err := json.Unmarshal(raw, &ch); err != nil {
		return Tokens{}, err
	}
	tenant, driverID, err := m.devices.Verify(ctx, ch.DeviceID, []byte(nonce), sig)
	if err != nil {
		return Tokens{}, ErrBadSignature
	}
	if err := m.st.Delete(ctx, keys.Challenge(nonce)); err != nil { // EXPECT kvsession
		return Tokens{}, err
	}
	now := m.clock.Now()
	rt := RefreshToken{
		Tenant: tenant, DriverID: driverID, DeviceID: ch.DeviceID,
		IssuedAt: now, FamilyExpires: now.AddDate(0, 0, m.cfg.RefreshTTLDays),
	}
	s, err := m.newSession(ctx, rt)
	if err != nil {
		return Tokens{}, err
	}
	refresh := token()
	if err := m.refresh.Save(ctx, keys.Refresh(hashToken(refresh)), rt, time.Duration(m.cfg.RefreshTTLDays)*24*time.Hour); err != nil {
		return Tokens{}, err
	}
	return Tokens{SessionID: s.ID, RefreshToken: refresh, ExpiresAt: s.ExpiresAt}, nil
}

func (m *Manager) newSession(ctx context.Context, rt RefreshToken) (Session, error) {
	s := Session{
		ID: token(), Tenant: rt.Tenant, DriverID: rt.DriverID, DeviceID: rt.DeviceID,
		ExpiresAt: m.clock.Now().Add(m.cfg.SessionTTL),
	}
	return s, m.sessions.Save(ctx, keys.Session(s.ID), s, m.cfg.SessionTTL) // DEBATABLE kvsession
}

// Authenticate returns the live session with the given ID.
func (m *Manager) Authenticate(ctx context.Context, id string) (Session, error) {
	s, err := m.sessions.Load(ctx, keys.Session(id))
	if storage.IsNotFound(err) || (err == nil && !m.clock.Now().Before(s.ExpiresAt)) {
		return Session{}, ErrInvalid
	}
	if err != nil {
		return Session{}, err
	}
	if revoked, err := m.revoked.IsRevoked(ctx, id); err != nil || revoked {
		return Session{}, cmp.Or(err, ErrInvalid)
	}
	return s, nil
}

// Refresh rotates a refresh token: the presented one stops working and a new
// pair is issued inside the same family.
func (m *Manager) Refresh(ctx context.Context, presented string) (Tokens, error) {
	key := keys.Refresh(hashToken(presented))
	old, err := m.refresh.Load(ctx, key)
	if storage.IsNotFound(err) || (err == nil && !m.clock.Now().Before(old.FamilyExpires)) {
		return Tokens{}, ErrRefreshInvalid
	}
	if err != nil {
		return Tokens{}, err
	}
	if err := m.refresh.Remove(ctx, key); err != nil { // EXPECT kvsession
		return Tokens{}, err
	}
	next := old
	next.IssuedAt = m.clock.Now()
	s, err := m.newSession(ctx, next)
	if err != nil {
		return Tokens{}, err
	}
	refresh := token()
	if err := m.refresh.Save(ctx, keys.Refresh(hashToken(refresh)), next,
		time.Until(next.FamilyExpires), // EXPECT kvttl
	); err != nil {
		return Tokens{}, err
	}
	return Tokens{SessionID: s.ID, RefreshToken: refresh, ExpiresAt: s.ExpiresAt}, nil
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.st.Delete(ctx, keys.Session(id)) // EXPECT kvsession
}
