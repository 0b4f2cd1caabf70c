// Package accounts handles creator sign-in, sessions and profile state.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"example.com/marlin/internal/catalog"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/ratelimit"
	"example.com/marlin/internal/repo"
)

// ErrBadCredentials is returned for a wrong email or password.
var ErrBadCredentials = errors.New("accounts: bad credentials")

// ErrNoSession is returned when a session id is unknown or expired.
var ErrNoSession = errors.New("accounts: no session")

// Session is a signed-in browser.
type Session struct {
	ID        string    `json:"id"`
	CreatorID string    `json:"creator_id"`
	UserAgent string    `json:"ua"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// StorageKey implements kv.Keyed.
func (s Session) StorageKey() string { return "session:" + s.ID }

// Profile holds creator preferences edited on the settings page.
type Profile struct {
	CreatorID   string `json:"creator_id"`
	DisplayName string `json:"display_name"`
	Timezone    string `json:"timezone"`
	Newsletter  bool   `json:"newsletter"`
}

// StorageKey implements kv.Keyed.
func (p Profile) StorageKey() string { return "profile:" + p.CreatorID }

// Dashboard is the pre-computed summary shown after sign-in.
type Dashboard struct {
	CreatorID string    `json:"creator_id"`
	Shows     int       `json:"shows"`
	Episodes  int       `json:"episodes"`
	Built     time.Time `json:"built"`
}

// StorageKey implements kv.Keyed.
func (d Dashboard) StorageKey() string { return "dash:" + d.CreatorID }

// PasswordChecker verifies a password against a stored hash.
type PasswordChecker func(hash []byte, password string) bool

// Service implements sign-in and session handling.
type Service struct {
	store      kv.Store
	catalog    catalog.Catalog
	clock      clock.Clock
	sessions   *repo.Repo[Session]
	profiles   *repo.Repo[Profile]
	dashboards *repo.Repo[Dashboard]
	sessionTTL time.Duration
	loginGate  ratelimit.Gate
	check      PasswordChecker
}

// Option configures a Service.
type Option func(*Service)

// WithLoginGate installs the gate consulted before each password check.
func WithLoginGate(g ratelimit.Gate) Option { return func(s *Service) { s.loginGate = g } }

// WithPasswordChecker replaces the password verifier.
func WithPasswordChecker(f PasswordChecker) Option { return func(s *Service) { s.check = f } }

// New wires a Service. sessionTTL comes from configuration.
func New(store kv.Store, cat catalog.Catalog, c clock.Clock, sessionTTL time.Duration, opts ...Option) *Service {
	s := &Service{
		store:      store,
		catalog:    cat,
		clock:      c,
		sessionTTL: sessionTTL,
		sessions:   repo.New[Session](store, "session:", repo.WithTTL(sessionTTL)),
		profiles:   repo.New[Profile](store, "profile:"),
		dashboards: repo.New[Dashboard](store, "dash:", repo.WithTTL(20*time.Second)), // EXPECT kvttl
		check: func(hash []byte, pw string) bool {
			return subtle.ConstantTimeCompare(hash, []byte(pw)) == 1
		},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newID() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

var attemptsKey = kv.NewKey[int]("attempts:login:")

// Login checks credentials and creates a new session.
func (s *Service) Login(ctx context.Context, email, password, ua string) (Session, error) {
	if err := s.loginGate.Allow(ctx, email); err != nil {
		return Session{}, err
	}
	c, err := s.catalog.CreatorByEmail(ctx, email)
	if err != nil || !s.check(c.PasswordHash, password) {
		if ferr := s.recordFailure(ctx, email); ferr != nil {
			return Session{}, ferr
		}
		return Session{}, ErrBadCredentials
	}
	id, err := newID()
	if err != nil {
		return Session{}, err
	}
	now := s.clock.Now()
	sess := Session{ID: id, CreatorID: c.ID, UserAgent: ua, CreatedAt: now, LastSeen: now}
	if err := s.sessions.Put(ctx, sess); err != nil {
		return Session{}, err
	}
	return sess, nil
}

func (s *Service) recordFailure(ctx context.Context, email string) error {
	n, err := attemptsKey.Read(ctx, s.store, email)
	if err != nil && !kv.IsNotFound(err) {
		return err
	}
	return attemptsKey.Write(ctx, s.store, email, n+1, kv.PutOptions{TTL: time.Hour}) // EXPECT kvcounter
}

// Session returns the session with the given id.
func (s *Service) Session(ctx context.Context, id string) (Session, error) {
	sess, err := s.sessions.Get(ctx, id)
	if kv.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	return sess, err
}

// Touch extends a session's lifetime on activity.
func (s *Service) Touch(ctx context.Context, sess Session) error {
	sess.LastSeen = s.clock.Now()
	return s.sessions.PutFor(ctx, sess, s.sessionTTL) // EXPECT kvsession
}

// TouchIfStale is Touch limited to once per ten minutes per session.
func (s *Service) TouchIfStale(ctx context.Context, sess Session) error {
	if clock.Since(s.clock, sess.LastSeen) < 10*time.Minute {
		return nil
	}
	sess.LastSeen = s.clock.Now()
	return s.sessions.Put(ctx, sess) // DEBATABLE kvsession
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, id string) error {
	return s.sessions.Delete(ctx, id) // EXPECT kvsession
}

// PasswordChanged invalidates every session the creator had before now.
func (s *Service) PasswordChanged(ctx context.Context, creatorID string) error {
	stamp := s.clock.Now().Format(time.RFC3339Nano)
	return s.store.Put(ctx, "revoked-before:"+creatorID, []byte(stamp), kv.PutOptions{}) // EXPECT kvsession
}

// Profile returns a creator's profile, or defaults when none was saved.
func (s *Service) Profile(ctx context.Context, creatorID string) (Profile, error) {
	p, err := s.profiles.Get(ctx, creatorID)
	if kv.IsNotFound(err) {
		return Profile{CreatorID: creatorID, Timezone: "UTC"}, nil
	}
	return p, err
}

// EnsureProfile creates a default profile on first sign-in.
func (s *Service) EnsureProfile(ctx context.Context, c catalog.Creator) error {
	if _, err := s.profiles.Get(ctx, c.ID); err != nil { // EXPECT kvnull
		return s.profiles.Put(ctx, Profile{CreatorID: c.ID, DisplayName: c.Handle, Timezone: "UTC", Newsletter: true}) // DEBATABLE kvrace
	}
	return nil
}

// SaveProfile replaces the profile with the one submitted by the settings
// form. Every field is part of the form, so nothing is read first.
func (s *Service) SaveProfile(ctx context.Context, p Profile) error {
	if p.CreatorID == "" {
		return fmt.Errorf("profile without creator")
	}
	return s.profiles.Put(ctx, p)
}

// Dashboard returns the creator's dashboard summary, rebuilding it from the
// catalog when the cached copy has expired.
func (s *Service) Dashboard(ctx context.Context, creatorID string, count func(context.Context, string) (int, int, error)) (Dashboard, error) {
	d, err := s.dashboards.Get(ctx, creatorID)
	if err == nil {
		return d, nil
	}
	if !kv.IsNotFound(err) {
		return Dashboard{}, err
	}
	shows, eps, err := count(ctx, creatorID)
	if err != nil {
		return Dashboard{}, err
	}
	d = Dashboard{CreatorID: creatorID, Shows: shows, Episodes: eps, Built: s.clock.Now()}
	return d, s.dashboards.Put(ctx, d)
}
