// Package auth issues rider sessions, refresh tokens and sign-in links.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

// ErrNoSession is returned when a session id is unknown or expired.
var ErrNoSession = errors.New("auth: no such session")

// ErrBadToken is returned for unknown, expired or reused tokens.
var ErrBadToken = errors.New("auth: invalid token")

// Session is what a signed-in rider carries between requests.
type Session struct {
	ID       string    `json:"id"`
	Rider    string    `json:"rider"`
	Device   string    `json:"device"`
	City     string    `json:"city"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Service manages sessions. Reads on the request path go straight to the KV
// REST API; everything else goes through the store port.
type Service struct {
	store      kvstore.Store
	values     *kv.NamespaceValueService
	account    string
	namespace  string
	sessionTTL time.Duration
	refreshTTL time.Duration
	linkTTL    time.Duration
	clock      clock.Clock
}

// Option configures a Service.
type Option func(*Service)

// WithSessionTTL sets how long an idle session lives.
func WithSessionTTL(d time.Duration) Option { return func(s *Service) { s.sessionTTL = d } }

// WithRefreshTTL sets how long a refresh token lives.
func WithRefreshTTL(d time.Duration) Option { return func(s *Service) { s.refreshTTL = d } }

// WithClock replaces the wall clock.
func WithClock(c clock.Clock) Option { return func(s *Service) { s.clock = c } }

// NewService wires the session service.
func NewService(store kvstore.Store, client *cloudflare.Client, account, namespace string, opts ...Option) *Service {
	s := &Service{
		store:      store,
		values:     client.KV.Namespaces.Values,
		account:    account,
		namespace:  namespace,
		sessionTTL: 12 * time.Hour,
		refreshTTL: 30 * 24 * time.Hour,
		linkTTL:    15 * time.Minute,
		clock:      clock.System{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start creates a session for rider on device.
func (s *Service) Start(ctx context.Context, rider, device, city string) (Session, error) {
	now := s.clock.Now()
	sess := Session{ID: newID(24), Rider: rider, Device: device, City: city, Created: now, LastSeen: now}
	b, err := json.Marshal(sess)
	if err != nil {
		return Session{}, err
	}
	if err := s.store.Put(ctx, keys.SessionKey{ID: sess.ID}.String(), b, kvstore.TTL(s.sessionTTL)); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Lookup returns the session with id.
func (s *Service) Lookup(ctx context.Context, id string) (Session, error) {
	res, err := s.values.Get(ctx, s.namespace, keys.SessionKey{ID: id}.String(), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return Session{}, fmt.Errorf("session lookup: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return Session{}, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return Session{}, ErrNoSession
	}
	var sess Session
	if err := json.Unmarshal(body, &sess); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Touch records activity on sess and pushes its expiry out by the idle TTL.
func (s *Service) Touch(ctx context.Context, sess Session) error {
	sess.LastSeen = s.clock.Now()
	b, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.SessionKey{ID: sess.ID}.String(), b, kvstore.TTL(s.sessionTTL)) // EXPECT kvsession
}

// KeepAlive extends sess when it was last seen more than an hour ago, so a
// rider in the middle of a ride is not signed out.
func (s *Service) KeepAlive(ctx context.Context, sess Session) error {
	now := s.clock.Now()
	if now.Sub(sess.LastSeen) < time.Hour {
		return nil
	}
	sess.LastSeen = now
	b, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.SessionKey{ID: sess.ID}.String(), b, kvstore.TTL(s.sessionTTL)) // DEBATABLE kvsession
}

// End signs the session out.
func (s *Service) End(ctx context.Context, id string) error {
	_, err := s.values.Delete(ctx, s.namespace, keys.SessionKey{ID: id}.String(), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)}) // EXPECT kvsession
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
