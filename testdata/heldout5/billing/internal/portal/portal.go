// Package portal manages customer-portal sessions: magic-link and SSO
// sign-in, account switching and logout.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

var (
	ErrNoSession   = errors.New("portal: no session")
	ErrBadLink     = errors.New("portal: invalid or used link")
	ErrLockedOut   = errors.New("portal: too many failed attempts")
	ErrTokenDenied = errors.New("portal: token revoked")
)

// oauthStateTTL bounds the SSO round trip.
const oauthStateTTL = 50 * time.Second

// Session is a signed-in portal user.
type Session struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Email      string    `json:"email"`
	AccountID  string    `json:"account_id"`
	TokenID    string    `json:"token_id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
}

// Mailer sends sign-in links.
type Mailer interface {
	SendMagicLink(ctx context.Context, email, token string) error
}

// Verifier checks portal passwords against the identity provider.
type Verifier func(ctx context.Context, email, password string) (customerID string, err error)

// Service is the portal session service.
type Service struct {
	sessions *kvstore.Store[Session]
	kv       kvstore.KV
	clock    clock.Clock
	mailer   Mailer
	verify   Verifier

	sessionTTL  time.Duration
	magicTTL    time.Duration
	maxFailures int
}

// Option configures the service.
type Option func(*Service)

// WithSessionTTL sets the idle lifetime of a session.
func WithSessionTTL(d time.Duration) Option { return func(s *Service) { s.sessionTTL = d } }

// WithMagicLinkTTL sets how long a sign-in link stays valid.
func WithMagicLinkTTL(d time.Duration) Option { return func(s *Service) { s.magicTTL = d } }

// WithMailer sets the mailer.
func WithMailer(m Mailer) Option { return func(s *Service) { s.mailer = m } }

// WithVerifier sets the password verifier.
func WithVerifier(v Verifier) Option { return func(s *Service) { s.verify = v } }

// New wires the service on the sessions namespace.
func New(kv kvstore.KV, clk clock.Clock, opts ...Option) *Service {
	s := &Service{
		kv:          kv,
		clock:       clk,
		sessionTTL:  30 * time.Minute,
		magicTTL:    15 * time.Minute,
		maxFailures: 5,
	}
	s.sessions = kvstore.NewStore[Session](kv, func(id string) string { return "sess:" + id })
	for _, o := range opts {
		o(s)
	}
	return s
}

func newToken() string { return rand.Text() }

type magicLink struct {
	Email      string `json:"email"`
	CustomerID string `json:"customer_id"`
}

// IssueMagicLink emails a one-time sign-in link.
func (s *Service) IssueMagicLink(ctx context.Context, email, customerID string) error {
	token := newToken()
	buf, _ := json.Marshal(magicLink{Email: email, CustomerID: customerID})
	if err := s.kv.Put(ctx, "magic:"+token, buf, kvstore.WithTTL(s.magicTTL)); err != nil {
		return err
	}
	return s.mailer.SendMagicLink(ctx, email, token)
}

// ConsumeMagicLink exchanges a link token for a session.
func (s *Service) ConsumeMagicLink(ctx context.Context, token string) (Session, error) {
	raw, err := s.kv.Get(ctx, "magic:"+token)
	if kvstore.IsNotFound(err) {
		return Session{}, ErrBadLink
	}
	if err != nil {
		return Session{}, err
	}
	var ml magicLink
	if err := json.Unmarshal(raw, &ml); err != nil {
		return Session{}, ErrBadLink
	}
	if err := s.kv.Delete(ctx, "magic:"+token); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s.start(ctx, ml.CustomerID, ml.Email)
}

// start creates a brand-new session.
func (s *Service) start(ctx context.Context, customerID, email string) (Session, error) {
	now := s.clock.Now().UTC()
	sess := Session{
		ID:         customerID + ":" + newToken(),
		CustomerID: customerID,
		Email:      email,
		AccountID:  customerID,
		TokenID:    newToken(),
		CreatedAt:  now,
		LastSeen:   now,
	}
	return sess, s.sessions.Put(ctx, sess.ID, sess, kvstore.WithTTL(s.sessionTTL))
}

// LoginWithPassword signs in with email and password.
func (s *Service) LoginWithPassword(ctx context.Context, email, password string) (Session, error) {
	failKey := "login:fail:" + email
	failures := 0
	if raw, err := s.kv.Get(ctx, failKey); err == nil {
		failures, _ = strconv.Atoi(string(raw))
	}
	if failures >= s.maxFailures {
		return Session{}, ErrLockedOut
	}
	customerID, err := s.verify(ctx, email, password)
	if err != nil {
		failures++
		_ = s.kv.Put(ctx, failKey, []byte(strconv.Itoa(failures)), kvstore.WithTTL(15*time.Minute)) // EXPECT kvcounter
		return Session{}, err
	}
	return s.start(ctx, customerID, email)
}

// BeginSSO stores the OAuth state for an SSO round trip.
func (s *Service) BeginSSO(ctx context.Context, returnTo string) (string, error) {
	state := newToken()
	return state, s.kv.Put(ctx, "oauth:"+state, []byte(returnTo), kvstore.WithTTL(oauthStateTTL)) // EXPECT kvttl
}

// CompleteSSO checks the OAuth state and starts a session.
func (s *Service) CompleteSSO(ctx context.Context, state, customerID, email string) (Session, string, error) {
	returnTo, err := s.kv.Get(ctx, "oauth:"+state)
	if err != nil {
		return Session{}, "", ErrBadLink
	}
	if err := s.kv.Delete(ctx, "oauth:"+state); err != nil { // EXPECT kvsession
		return Session{}, "", err
	}
	sess, err := s.start(ctx, customerID, email)
	return sess, string(returnTo), err
}

func denyKey(customerID string) string { return "deny:" + customerID }

func (s *Service) denied(ctx context.Context, customerID string) ([]string, error) {
	raw, err := s.kv.Get(ctx, denyKey(customerID))
	if kvstore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	return ids, json.Unmarshal(raw, &ids)
}

// Authenticate resolves a session ID and extends its idle timeout.
func (s *Service) Authenticate(ctx context.Context, sessionID string) (Session, error) {
	sess, err := s.sessions.Get(ctx, sessionID)
	if kvstore.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	deny, err := s.denied(ctx, sess.CustomerID)
	if err != nil {
		return Session{}, err
	}
	if slices.Contains(deny, sess.TokenID) {
		return Session{}, ErrTokenDenied
	}
	sess.LastSeen = s.clock.Now().UTC()
	if err := s.sessions.Put(ctx, sessionID, sess, kvstore.WithTTL(s.sessionTTL)); err != nil { // EXPECT kvsession|kvrace
		return Session{}, err
	}
	return sess, nil
}

// SwitchAccount changes the sub-account the session acts on.
func (s *Service) SwitchAccount(ctx context.Context, sessionID, accountID string) (Session, error) {
	sess, err := s.sessions.Get(ctx, sessionID)
	if err != nil {
		return Session{}, ErrNoSession
	}
	sess.AccountID = accountID
	if err := s.sessions.Put(ctx, sessionID, sess, kvstore.WithTTL(s.sessionTTL)); err != nil { // EXPECT kvsession|kvrace
		return Session{}, err
	}
	return sess, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	return s.sessions.Delete(ctx, sessionID) // EXPECT kvsession
}

// PasswordChanged adds the given session tokens to the customer's deny
// list so those sessions have to sign in again.
func (s *Service) PasswordChanged(ctx context.Context, customerID string, tokenIDs ...string) error {
	deny, err := s.denied(ctx, customerID)
	if err != nil {
		return err
	}
	deny = append(deny, tokenIDs...)
	buf, err := json.Marshal(deny)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, denyKey(customerID), buf, kvstore.WithTTL(24*time.Hour)) // EXPECT kvsession|kvrace
}

// RevokeAll signs out every session of a customer (account closure,
// security incident). It returns the number of sessions removed.
func (s *Service) RevokeAll(ctx context.Context, customerID string) (int, error) {
	prefix := "sess:" + customerID + ":"
	cursor, n := "", 0
	for {
		page, err := s.kv.List(ctx, kvstore.ListQuery{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if err := s.kv.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return n, err
			}
			n++
		}
		cursor = page.Cursor
	}
	return n, nil
}

// Sessions returns one page of a customer's sessions for the security
// settings screen.
func (s *Service) Sessions(ctx context.Context, customerID, cursor string) ([]string, string, error) {
	page, err := s.kv.List(ctx, kvstore.ListQuery{Prefix: "sess:" + customerID + ":", Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, k.Name[len("sess:"):])
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	return ids, next, nil
}
