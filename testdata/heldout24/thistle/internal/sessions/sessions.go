// Package sessions manages customer sessions and passwordless login links.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/config"
	"example.com/thistle/internal/keys"
	"example.com/thistle/internal/store"
)

// ErrUnauthenticated means the session or link is unknown or expired.
var ErrUnauthenticated = errors.New("sessions: unauthenticated")

// Session is a signed-in customer.
type Session struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeen   time.Time `json:"last_seen"`
	Plan       string    `json:"plan,omitempty"`
}

// StorageKey implements store.Keyed.
func (s Session) StorageKey() string { return sessionKey.For(s.ID) }

// LoginLink is a one-time link mailed to a customer.
type LoginLink struct {
	Token      string    `json:"token"`
	Email      string    `json:"email"`
	CustomerID string    `json:"customer_id"`
	IssuedAt   time.Time `json:"issued_at"`
}

// StorageKey implements store.Keyed.
func (l LoginLink) StorageKey() string { return linkKey.For(l.Token) }

var (
	sessionKey = keys.New[Session]("session")
	linkKey    = keys.New[LoginLink]("login-link")
	revokedKey = keys.New[time.Time]("session-revoked")
)

// Mailer delivers login links.
type Mailer interface {
	SendLoginLink(ctx context.Context, email, url string) error
}

// MailerFunc adapts a function to Mailer.
type MailerFunc func(ctx context.Context, email, url string) error

// SendLoginLink calls f.
func (f MailerFunc) SendLoginLink(ctx context.Context, email, url string) error {
	return f(ctx, email, url)
}

// Service issues and resolves sessions.
type Service struct {
	s       store.Store
	clock   clock.Clock
	cfg     config.Config
	mailer  Mailer
	baseURL string
	touchAt time.Duration
}

// Option configures a Service.
type Option func(*Service)

// WithMailer sets the login-link mailer.
func WithMailer(m Mailer) Option { return func(s *Service) { s.mailer = m } }

// WithBaseURL sets the public origin used in links.
func WithBaseURL(u string) Option { return func(s *Service) { s.baseURL = u } }

// WithTouchEvery sets how stale LastSeen may get before Touch rewrites it.
func WithTouchEvery(d time.Duration) Option { return func(s *Service) { s.touchAt = d } }

// New builds a Service.
func New(s store.Store, c clock.Clock, cfg config.Config, opts ...Option) *Service {
	svc := &Service{s: s, clock: c, cfg: cfg, baseURL: "https://thistle.example", touchAt: 0}
	for _, o := range opts {
		o(svc)
	}
	if svc.mailer == nil {
		svc.mailer = MailerFunc(func(context.Context, string, string) error { return nil })
	}
	return svc
}

func newID() (string, error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// Create starts a new session for the customer.
func (s *Service) Create(ctx context.Context, customerID, plan string) (Session, error) {
	id, err := newID()
	if err != nil {
		return Session{}, err
	}
	now := s.clock.Now()
	sess := Session{ID: id, CustomerID: customerID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.cfg.SessionTTL), Plan: plan}
	if err := store.Save(ctx, s.s, sess, s.cfg.SessionTTL); err != nil {
		return Session{}, fmt.Errorf("sessions: create: %w", err)
	}
	return sess, nil
}

// Resolve loads a session by id.
func (s *Service) Resolve(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, ErrUnauthenticated
	}
	sess, err := store.Load[Session](ctx, s.s, sessionKey.For(id))
	if store.IsNotFound(err) {
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, err
	}
	if !s.clock.Now().Before(sess.ExpiresAt) {
		return Session{}, ErrUnauthenticated
	}
	if _, err := s.s.Get(ctx, revokedKey.For(id)); err == nil {
		return Session{}, ErrUnauthenticated
	}
	return sess, nil
}

// Touch extends a session's lifetime on activity.
func (s *Service) Touch(ctx context.Context, sess Session) (Session, error) {
	now := s.clock.Now()
	if now.Sub(sess.LastSeen) < s.touchAt {
		return sess, nil
	}
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.cfg.SessionTTL)
	b, err := json.Marshal(sess)
	if err != nil {
		return sess, err
	}
	return sess, s.s.Put(ctx, sess.StorageKey(), b, store.PutOptions{TTL: s.cfg.SessionTTL}) // EXPECT kvsession
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, id string) error {
	return s.s.Delete(ctx, sessionKey.For(id)) // EXPECT kvsession
}

// RevokeAll marks the listed sessions as revoked, e.g. after a password or
// e-mail change.
func (s *Service) RevokeAll(ctx context.Context, ids []string) error {
	now := s.clock.Now()
	for _, id := range ids {
		b, _ := json.Marshal(now)
		if err := s.s.Put(ctx, revokedKey.For(id), b, store.PutOptions{TTL: s.cfg.SessionTTL}); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// IssueLink creates a login link and mails it.
func (s *Service) IssueLink(ctx context.Context, email, customerID string) error {
	tok, err := newID()
	if err != nil {
		return err
	}
	link := LoginLink{Token: tok, Email: email, CustomerID: customerID, IssuedAt: s.clock.Now()}
	if err := store.Save(ctx, s.s, link, max(s.cfg.LoginLinkTTL, store.MinTTL)); err != nil {
		return err
	}
	return s.mailer.SendLoginLink(ctx, email, s.baseURL+"/login/"+tok)
}

// RedeemLink exchanges a login link for a session.
func (s *Service) RedeemLink(ctx context.Context, token string) (Session, error) {
	link, err := store.Load[LoginLink](ctx, s.s, linkKey.For(token))
	if store.IsNotFound(err) {
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, err
	}
	if s.clock.Now().Sub(link.IssuedAt) > s.cfg.LoginLinkTTL {
		return Session{}, ErrUnauthenticated
	}
	if err := s.s.Delete(ctx, link.StorageKey()); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s.Create(ctx, link.CustomerID, "")
}
