// Package session manages learner sessions and magic-link login.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/storage"
)

// Session is an authenticated learner on one device.
type Session struct {
	ID, LearnerID, Device string
	CreatedAt, ExpiresAt  time.Time
}

var (
	ErrNoSession   = errors.New("session: not found")
	ErrRevoked     = errors.New("session: revoked")
	ErrInvalidLink = errors.New("session: invalid or expired login link")
)

// Mailer delivers login links.
type Mailer interface {
	SendLoginLink(ctx context.Context, email, link string) error
}

// Directory resolves learners by email.
type Directory interface {
	LearnerByEmail(ctx context.Context, email string) (string, error)
}

type Service struct {
	store  storage.Store
	cfg    config.Sessions
	mailer Mailer
	dir    Directory
	now    func() time.Time
}

func New(store storage.Store, cfg config.Sessions, mailer Mailer, dir Directory) *Service {
	return &Service{store: store, cfg: cfg, mailer: mailer, dir: dir, now: time.Now}
}

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) putRecord(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, raw, storage.WithTTL(ttl))
}

// Create starts a new session for learnerID.
func (s *Service) Create(ctx context.Context, learnerID, device string) (Session, error) {
	now := s.now()
	sess := Session{ID: newID(24), LearnerID: learnerID, Device: device, CreatedAt: now, ExpiresAt: now.Add(s.cfg.Lifetime)}
	rec := toRecord(sess)
	return sess, s.putRecord(ctx, rec.key(), rec, rec.lifetime())
}

// Lookup returns the live session with the given ID.
func (s *Service) Lookup(ctx context.Context, id string) (Session, error) {
	rec, err := storage.GetJSON[sessionRecord](ctx, s.store, sessionRecord{ID: id}.key())
	if errors.Is(err, storage.ErrNotFound) || (err == nil && rec.Expires <= s.now().Unix()) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	rev, err := storage.GetJSON[revocationRecord](ctx, s.store, revocationRecord{Learner: rec.Learner}.key())
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return Session{}, err
	case rec.Created <= rev.At:
		return Session{}, ErrRevoked
	}
	return fromRecord(rec), nil
}

// Touch slides the session's expiry forward after activity.
func (s *Service) Touch(ctx context.Context, sess Session) error {
	sess.ExpiresAt = s.now().Add(s.cfg.Lifetime)
	rec := toRecord(sess)
	return s.putRecord(ctx, rec.key(), rec, rec.lifetime()) // EXPECT kvsession
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, id string) error {
	return s.store.Delete(ctx, sessionRecord{ID: id}.key()) // EXPECT kvsession
}

// RevokeAll ends every session of a learner, e.g. after a password change
// or when a parent removes a device.
func (s *Service) RevokeAll(ctx context.Context, learnerID string) error {
	rec := revocationRecord{Learner: learnerID, At: s.now().Unix()}
	return s.putRecord(ctx, rec.key(), rec, s.cfg.Lifetime) // EXPECT kvsession
}

// RequestLoginLink mails a one-time login link to email.
func (s *Service) RequestLoginLink(ctx context.Context, email string) error {
	learner, err := s.dir.LearnerByEmail(ctx, email)
	if err != nil {
		return err
	}
	rec := magicLinkRecord{Token: newID(32), Learner: learner, Expires: s.now().Add(s.cfg.MagicLink).Unix()}
	if err := s.putRecord(ctx, rec.key(), rec, rec.lifetime()); err != nil {
		return err
	}
	return s.mailer.SendLoginLink(ctx, email, "https://app.linnet.example/login/callback?token="+url.QueryEscape(rec.Token))
}

// RedeemLoginLink exchanges a login link token for a new session.
func (s *Service) RedeemLoginLink(ctx context.Context, token, device string) (Session, error) {
	rec, err := storage.GetJSON[magicLinkRecord](ctx, s.store, magicLinkRecord{Token: token}.key())
	if errors.Is(err, storage.ErrNotFound) || (err == nil && rec.Expires <= s.now().Unix()) {
		return Session{}, ErrInvalidLink
	}
	if err != nil {
		return Session{}, err
	}
	if err := s.store.Delete(ctx, rec.key()); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s.Create(ctx, rec.Learner, device)
}
