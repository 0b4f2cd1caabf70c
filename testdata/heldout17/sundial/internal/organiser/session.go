package organiser

import (
	"context"
	"crypto/rand"
	"time"

	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
)

// Session is an organiser's signed-in session.
type Session struct {
	ID          string    `json:"id"`
	OrganiserID string    `json:"organiser_id"`
	Tenant      string    `json:"tenant"`
	Elevated    bool      `json:"elevated,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	LastSeen    time.Time `json:"last_seen"`
}

var sessionCodec codec.JSON[Session]

// StartSession signs an organiser in.
func (s *Service) StartSession(ctx context.Context, o Organiser) (Session, error) {
	now := s.clock.Now()
	sess := Session{ID: rand.Text(), OrganiserID: o.ID, Tenant: o.Tenant, CreatedAt: now, LastSeen: now}
	err := storage.PutAs(ctx, s.st, keys.Session(sess.ID).String(), sess, sessionCodec, storage.PutOptions{TTL: s.opts.SessionTTL}) // DEBATABLE kvsession
	return sess, err
}

// Session resolves a session id.
func (s *Service) Session(ctx context.Context, id string) (Session, error) {
	sess, err := storage.GetAs(ctx, s.st, keys.Session(id).String(), sessionCodec)
	if storage.IsNotFound(err) {
		return sess, ErrNoSession
	}
	return sess, err
}

// Touch slides a session's expiry forward on activity.
func (s *Service) Touch(ctx context.Context, id string) (Session, error) {
	sess, err := s.Session(ctx, id)
	if err != nil {
		return sess, err
	}
	sess.LastSeen = s.clock.Now()
	err = storage.PutAs(ctx, s.st, keys.Session(id).String(), sess, sessionCodec, storage.PutOptions{TTL: s.opts.SessionTTL}) // EXPECT kvsession
	return sess, err
}

// elevate opens a short elevated session after a second-factor login.
func (s *Service) elevate(ctx context.Context, organiserID, tenant string) (Session, error) {
	now := s.clock.Now()
	sess := Session{ID: rand.Text(), OrganiserID: organiserID, Tenant: tenant, Elevated: true, CreatedAt: now, LastSeen: now}
	err := storage.PutAs(ctx, s.st, keys.Session(sess.ID).String(), sess, sessionCodec, storage.PutOptions{TTL: s.opts.RecoveryWindow})
	return sess, err
}
