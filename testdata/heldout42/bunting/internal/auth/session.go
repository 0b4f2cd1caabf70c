// Package auth handles clinician sign-in: sessions, MFA challenges, refresh
// tokens, patient join links and the SMART on FHIR launch.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"bunting/internal/kvstore"
)

// SessionLifetime is how long a clinician session stays valid.
const SessionLifetime = 12 * time.Hour

// ClinicianSession is the server side of the bsid cookie.
type ClinicianSession struct {
	ID          string    `json:"id"`
	ClinicianID string    `json:"clinician_id"`
	MFAVerified bool      `json:"mfa_verified"`
	IP          string    `json:"ip"`
	CreatedAt   time.Time `json:"created_at"`
	LastSeen    time.Time `json:"last_seen"`
}

// SessionStore keeps sessions under sess:<clinician>:<random>.
type SessionStore struct {
	kvstore.Base
}

// NewSessionStore returns a store in the given namespace.
func NewSessionStore(st *kvstore.Store) *SessionStore {
	return &SessionStore{Base: kvstore.Base{Prefix: "sess:", Lifetime: SessionLifetime, KV: st}}
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for a clinician who passed the password check.
func (s *SessionStore) Create(ctx context.Context, clinicianID, ip string) (*ClinicianSession, error) {
	now := time.Now().UTC()
	sess := &ClinicianSession{
		ID:          clinicianID + ":" + randomID(24),
		ClinicianID: clinicianID,
		IP:          ip,
		CreatedAt:   now,
		LastSeen:    now,
	}
	if err := s.Store(ctx, sess.ID, sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// Lookup fills out with the session stored under id.
func (s *SessionStore) Lookup(ctx context.Context, id string, out *ClinicianSession) error {
	return s.Fetch(ctx, id, out)
}

// MarkMFAVerified records that the session passed its second factor.
func (s *SessionStore) MarkMFAVerified(ctx context.Context, id string) error {
	var sess ClinicianSession
	if err := s.Lookup(ctx, id, &sess); err != nil {
		return err
	}
	sess.MFAVerified = true
	return s.Store(ctx, id, &sess) // EXPECT kvsession|kvrace
}

// Touch records activity on the session and pushes its expiry forward.
func (s *SessionStore) Touch(ctx context.Context, sess *ClinicianSession) error {
	sess.LastSeen = time.Now().UTC()
	return s.Store(ctx, sess.ID, sess) // EXPECT kvsession
}

// Revoke ends one session.
func (s *SessionStore) Revoke(ctx context.Context, id string) error {
	return s.Drop(ctx, id) // EXPECT kvsession
}

// RevokeAll ends every session of a clinician, after a password change.
func (s *SessionStore) RevokeAll(ctx context.Context, clinicianID string) (int, error) {
	keys, _, err := s.KV.ListPage(ctx, s.KeyFor(clinicianID+":"), "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := s.KV.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			return 0, err
		}
	}
	return len(keys), nil
}
