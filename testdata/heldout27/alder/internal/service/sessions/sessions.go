// Package sessions manages signed-in member sessions and trusted devices.
package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/alder/internal/config"
	"example.com/alder/internal/domain"
	"example.com/alder/internal/repo"
	"example.com/alder/internal/storage"
)

// ErrNoSession is returned for unknown or lapsed session IDs.
var ErrNoSession = errors.New("sessions: no such session")

// deviceTrust is how long a remembered device skips the second factor.
const deviceTrust = 30 * 24 * time.Hour

// Service creates, looks up and ends sessions.
type Service struct {
	store    storage.Store
	sessions *repo.Repository[domain.Session, *domain.Session]
	ttl      time.Duration
}

// ProvideService builds the session service from the configured lifetime.
func ProvideService(st storage.Store, cfg config.Config) *Service {
	return &Service{
		store:    st,
		sessions: repo.New[domain.Session](st, storage.PutOptions{}, nil),
		ttl:      cfg.SessionTTL(),
	}
}

// Create starts a session for member with a fresh random ID.
func (s *Service) Create(ctx context.Context, member domain.MemberID, userAgent string) (*domain.Session, error) {
	id, err := domain.NewToken(24)
	if err != nil {
		return nil, fmt.Errorf("sessions: token: %w", err)
	}
	now := time.Now()
	sess := &domain.Session{
		ID:        id,
		Member:    member,
		UserAgent: userAgent,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(s.ttl),
	}
	if err := s.sessions.PutUntil(ctx, sess, sess.ExpiresAt); err != nil {
		return nil, err
	}
	return sess, nil
}

// Lookup returns the live session with id.
func (s *Service) Lookup(ctx context.Context, id string) (*domain.Session, error) {
	sess, err := s.sessions.Get(ctx, id)
	if err != nil {
		var nf *storage.NotFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("%w (key %s)", ErrNoSession, nf.Key)
		}
		return nil, err
	}
	if !time.Now().Before(sess.ExpiresAt) {
		return nil, ErrNoSession
	}
	return sess, nil
}

// Touch records activity and pushes the expiry out by the session lifetime.
func (s *Service) Touch(ctx context.Context, sess *domain.Session) error {
	now := time.Now()
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.ttl)
	return s.sessions.PutUntil(ctx, sess, sess.ExpiresAt) // EXPECT kvsession
}

// Logout ends the session. The delete must happen even if the client has
// already gone away.
func (s *Service) Logout(ctx context.Context, id string) error {
	cleanup := context.WithoutCancel(ctx)
	sess := &domain.Session{ID: id}
	if err := s.store.Delete(cleanup, sess.Key()); err != nil { // EXPECT kvsession
		return fmt.Errorf("sessions: logout: %w", err)
	}
	return nil
}

type device struct {
	Member    domain.MemberID `json:"member"`
	Label     string          `json:"label"`
	Refreshed time.Time       `json:"refreshed"`
}

func deviceKey(member domain.MemberID, fingerprint string) string {
	return "trusted:" + string(member) + ":" + fingerprint
}

// RememberDevice marks a browser as trusted for the member. The record is
// refreshed at most once a day so regular visitors stay trusted.
func (s *Service) RememberDevice(ctx context.Context, member domain.MemberID, fingerprint, label string) error {
	key := deviceKey(member, fingerprint)
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		var d device
		if json.Unmarshal(raw, &d) == nil && time.Since(d.Refreshed) < 24*time.Hour {
			return nil
		}
	case !storage.IsNotFound(err):
		return err
	}
	out, err := json.Marshal(device{Member: member, Label: label, Refreshed: time.Now()})
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, out, storage.PutOptions{TTL: deviceTrust}) // DEBATABLE kvsession
}
