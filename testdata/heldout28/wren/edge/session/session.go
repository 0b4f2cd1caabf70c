//go:build js && wasm

// Package session manages driver login sessions at the edge.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"example.com/wren/edge/kvstore"
	"example.com/wren/internal/keys"
	"example.com/wren/internal/lifetime"
)

// CookieName is the session cookie.
const CookieName = "wren_sid"

var (
	timeNow  = time.Now
	newToken = randomToken
)

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Session is what we keep per login.
type Session struct {
	ID        string    `json:"id"`
	DriverID  string    `json:"driver_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	UserAgent string    `json:"ua,omitempty"`
}

// ErrNoSession is returned when the request carries no valid session.
var ErrNoSession = errors.New("session: none")

// SessionService stores sessions in the SESSIONS namespace.
type SessionService struct {
	*kvstore.Store
	absolute time.Duration
	idle     time.Duration
}

// New returns a SessionService over st.
func New(st *kvstore.Store) *SessionService {
	return &SessionService{Store: st, absolute: lifetime.SessionAbsolute, idle: lifetime.SessionIdle}
}

// Create starts a session for driverID with a fresh random ID.
func (s *SessionService) Create(ctx context.Context, driverID, userAgent string) (Session, error) {
	now := timeNow().UTC()
	sess := Session{ID: newToken(), DriverID: driverID, CreatedAt: now, LastSeen: now, UserAgent: userAgent}
	if err := s.Save(ctx, keys.Session(sess.ID), sess, s.absolute); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Lookup returns the session with id.
func (s *SessionService) Lookup(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, ErrNoSession
	}
	var sess Session
	found, err := s.Load(ctx, keys.Session(id), &sess)
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrNoSession
	}
	if timeNow().Sub(sess.CreatedAt) > s.absolute {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Touch records activity on the session and pushes its idle expiry out.
func (s *SessionService) Touch(ctx context.Context, id string) error {
	var sess Session
	found, err := s.Load(ctx, keys.Session(id), &sess)
	if err != nil || !found {
		return err
	}
	sess.LastSeen = timeNow().UTC()
	return s.Save(ctx, keys.Session(id), sess, s.idle) // EXPECT kvsession
}

// Revoke ends the session, e.g. on logout.
func (s *SessionService) Revoke(ctx context.Context, id string) error {
	return s.Delete(ctx, keys.Session(id)) // EXPECT kvsession
}

// FromRequest reads the session cookie and looks the session up.
func (s *SessionService) FromRequest(r *http.Request) (Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return Session{}, ErrNoSession
	}
	return s.Lookup(r.Context(), c.Value)
}

// Cookie builds the cookie for sess.
func (s *SessionService) Cookie(sess Session) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    sess.ID,
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
		Expires:  sess.CreatedAt.Add(s.absolute),
	}
}

type ctxKey struct{}

// WithSession stores sess in ctx.
func WithSession(ctx context.Context, sess Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, sess)
}

// From returns the session stored by WithSession.
func From(ctx context.Context) (Session, bool) {
	sess, ok := ctx.Value(ctxKey{}).(Session)
	return sess, ok
}
