// Package console holds operator sessions, single sign-on state and the
// device credentials issued from the console.
package console

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/takahe-iot/takahe/internal/async"
	"github.com/takahe-iot/takahe/internal/kvstore"
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("console: no session")

// ErrBadState is returned when an SSO callback carries an unknown state.
var ErrBadState = errors.New("console: unknown sso state")

// Session is an operator's console session.
type Session struct {
	ID       string    `json:"id"`
	Operator string    `json:"operator"`
	Fleets   []string  `json:"fleets"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// DeviceToken is the credential a device presents at check-in.
type DeviceToken struct {
	DeviceID string    `json:"device_id"`
	Fleet    string    `json:"fleet"`
	Issued   time.Time `json:"issued"`
}

// Sessions manages console sessions and tokens.
type Sessions struct {
	NS        *kvstore.Namespace
	TTL       time.Duration
	StateTTL  time.Duration
	TokenTTL  time.Duration
	RevokeTTL time.Duration
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(id string) string { return "session/" + id }

// Login creates a session for an operator who passed SSO.
func (s *Sessions) Login(ctx context.Context, operator string, fleets []string) *async.Future[Session] {
	return async.Go(func() (Session, error) {
		now := time.Now().UTC()
		sess := Session{ID: randomID(24), Operator: operator, Fleets: fleets, Created: now, LastSeen: now}
		raw, _ := json.Marshal(sess)
		return sess, s.NS.Put(ctx, sessionKey(sess.ID), raw, s.TTL)
	})
}

// Lookup returns the session with id.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	raw, err := s.NS.Get(ctx, sessionKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var sess Session
	return sess, json.Unmarshal(raw, &sess)
}

// Touch extends an active session; the console calls it on every request.
func (s *Sessions) Touch(ctx context.Context, id string, done func(Session, error)) {
	s.NS.GetAsync(ctx, sessionKey(id), func(val []byte, err error) {
		if errors.Is(err, kvstore.ErrNotFound) {
			done(Session{}, ErrNoSession)
			return
		}
		if err != nil {
			done(Session{}, err)
			return
		}
		var sess Session
		if err := json.Unmarshal(val, &sess); err != nil {
			done(Session{}, err)
			return
		}
		sess.LastSeen = time.Now().UTC()
		raw, _ := json.Marshal(sess)
		s.NS.PutAsync(ctx, sessionKey(id), raw, s.TTL, func(err error) { done(sess, err) }) // EXPECT kvsession|kvrace
	})
}

// Logout ends a session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.NS.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// BeginSSO stores the state parameter of an SSO redirect and returns it.
func (s *Sessions) BeginSSO(ctx context.Context, returnTo string) (string, error) {
	state := randomID(16)
	return state, s.NS.Put(ctx, "sso/state/"+state, []byte(returnTo), s.StateTTL)
}

// FinishSSO checks the state parameter of an SSO callback and returns the
// page the operator started from.
func (s *Sessions) FinishSSO(ctx context.Context, state string) (string, error) {
	returnTo := async.Then(s.NS.Fetch(ctx, "sso/state/"+state), func(raw []byte) (string, error) {
		return string(raw), s.NS.Delete(ctx, "sso/state/"+state) // EXPECT kvsession
	})
	to, err := returnTo.Await(ctx)
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", ErrBadState
	}
	return to, err
}

func tokenKey(tok string) string { return "devtoken/" + tok }

// IssueToken mints a device credential.
func (s *Sessions) IssueToken(ctx context.Context, deviceID, fleet string) (string, error) {
	tok := randomID(32)
	raw, _ := json.Marshal(DeviceToken{DeviceID: deviceID, Fleet: fleet, Issued: time.Now().UTC()})
	return tok, s.NS.Put(ctx, tokenKey(tok), raw, s.TokenTTL)
}

// RotateToken replaces a device's credential. The device switches to the new
// token on its next check-in.
func (s *Sessions) RotateToken(ctx context.Context, old string) (string, error) {
	raw, err := s.NS.Get(ctx, tokenKey(old))
	if err != nil {
		return "", err
	}
	var dt DeviceToken
	if err := json.Unmarshal(raw, &dt); err != nil {
		return "", err
	}
	next := randomID(32)
	dt.Issued = time.Now().UTC()
	fresh, _ := json.Marshal(dt)
	if err := s.NS.Put(ctx, tokenKey(next), fresh, s.TokenTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return next, s.NS.Delete(ctx, tokenKey(old)) // EXPECT kvsession
}

// Revoke blocks a signed console API token by its id until it expires.
func (s *Sessions) Revoke(ctx context.Context, jti string, expires time.Time) error {
	ttl := max(time.Until(expires), kvstore.MinTTL)
	return s.NS.Put(ctx, "revoked/"+jti, []byte("1"), ttl) // EXPECT kvsession
}

// Revoked reports whether a console API token was revoked.
func (s *Sessions) Revoked(ctx context.Context, jti string) (bool, error) {
	_, err := s.NS.Get(ctx, "revoked/"+jti)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
