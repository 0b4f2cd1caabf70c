//go:build js && wasm

// Package session keeps patient portal sessions at the edge.
package session

import (
	"context"
	"crypto/rand"
	"time"

	"example.com/gannet/edge/kvstore"
	"example.com/gannet/internal/codec"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/ttl"
)

var (
	timeNow  = time.Now
	newToken = randomToken
)

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return keys.Opaque(b[:])
}

// SessionService stores sessions in its embedded KV binding.
type SessionService struct {
	*kvstore.Store
	lifetime ttl.Lifetime
	idle     time.Duration
}

// New returns a SessionService over store.
func New(store *kvstore.Store, lifetime ttl.Lifetime, idle time.Duration) *SessionService {
	return &SessionService{Store: store, lifetime: lifetime, idle: idle}
}

// Create starts a session for a patient who has just verified a code.
func (s *SessionService) Create(ctx context.Context, patientID, device string, mfa bool) (domain.Session, error) {
	now := timeNow().UTC()
	sess := domain.Session{ID: newToken(), PatientID: patientID, Created: now, LastSeen: now, Device: device, MFA: mfa}
	if err := s.Save(ctx, keys.Session(sess.ID), sess, s.lifetime); err != nil {
		return domain.Session{}, err
	}
	// The index lets the back office find every session of a patient.
	return sess, s.PutFor(ctx, keys.SessionIndex(patientID, sess.ID), []byte(device), s.lifetime)
}

// Lookup returns a live session.
func (s *SessionService) Lookup(ctx context.Context, id string) (domain.Session, bool, error) {
	var sess domain.Session
	found, err := s.Load(ctx, keys.Session(id), &sess)
	if err != nil || !found {
		return domain.Session{}, false, err
	}
	if s.idle > 0 && timeNow().Sub(sess.LastSeen) > s.idle {
		return domain.Session{}, false, nil
	}
	return sess, true, nil
}

// Touch extends an active session's idle window.
func (s *SessionService) Touch(ctx context.Context, sess domain.Session) error {
	sess.LastSeen = timeNow().UTC()
	b, err := codec.Wrap("sess", 0, sess)
	if err != nil {
		return err
	}
	return s.Put(ctx, keys.Session(sess.ID), b) // EXPECT kvsession
}

// End signs a session out.
func (s *SessionService) End(ctx context.Context, id string) error {
	return s.Delete(ctx, keys.Session(id)) // EXPECT kvsession
}
