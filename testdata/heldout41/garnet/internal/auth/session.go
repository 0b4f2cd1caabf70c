// Package auth handles accountant logins: SSO state, sessions, refresh
// tokens and one-time codes.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"garnet/internal/bus"
	"garnet/internal/events"
	"garnet/internal/httpx"
	"garnet/internal/kvstore"
	"garnet/internal/policy"
)

// Session is what a session cookie points at.
type Session struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	UserID    string    `json:"user_id"`
	Email     string    `json:"email"`
	IP        string    `json:"ip"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Sessions stores login sessions, one scope per tenant.
type Sessions struct {
	store  kvstore.Store
	expiry policy.ExpiryPolicy
}

// NewSessions returns the session store and subscribes it to the auth events.
func NewSessions(st kvstore.Store, expiry policy.ExpiryPolicy, b *bus.Bus) *Sessions {
	s := &Sessions{store: st, expiry: expiry}
	mk := func(ctx context.Context) events.Visitor { return recorder{ctx: ctx, s: s} }
	b.Visit(events.LoginSucceeded{}.Topic(), mk)
	b.Visit((&events.LoggedOut{}).Topic(), mk)
	b.Visit(events.PasswordChanged{}.Topic(), mk)
	return s
}

func sessionKey(id string) string                  { return "sess:" + id }
func userIndex(userID string) string               { return "user-sess:" + userID + ":" }
func (s *Sessions) tenant(id string) kvstore.Store { return s.store.Scope("tenant:" + id) }

// recorder applies auth events to the session store.
type recorder struct {
	events.Ignore
	ctx context.Context
	s   *Sessions
}

func (r recorder) VisitLogin(e events.LoginSucceeded) error {
	st := r.s.tenant(e.TenantID)
	ttl := r.s.expiry.Lifetime("session")
	sess := Session{ID: e.SessionID, TenantID: e.TenantID, UserID: e.UserID, Email: e.Email, IP: e.IP, CreatedAt: e.At, LastSeen: e.At}
	if err := st.PutJSON(r.ctx, sessionKey(e.SessionID), sess, ttl); err != nil { // DEBATABLE kvsession
		return err
	}
	return st.PutTTL(r.ctx, userIndex(e.UserID)+e.SessionID, []byte(e.At.Format(time.RFC3339)), ttl)
}

func (r recorder) VisitLogout(e *events.LoggedOut) error {
	return r.s.tenant(e.TenantID).Delete(r.ctx, sessionKey(e.SessionID)) // EXPECT kvsession
}

func (r recorder) VisitPasswordChanged(e events.PasswordChanged) error {
	st := r.s.tenant(e.TenantID)
	var errs []error
	cursor := ""
	for {
		page, err := st.List(r.ctx, userIndex(e.UserID), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		for _, k := range page.Keys {
			id := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
			if err := st.Delete(r.ctx, sessionKey(id)); err != nil { // EXPECT kvsession
				errs = append(errs, err)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return errors.Join(errs...)
}

// Authenticate resolves the session cookie of r.
func (s *Sessions) Authenticate(r *http.Request) (Session, error) {
	c, err := r.Cookie("garnet_session")
	if err != nil {
		return Session{}, httpx.Error(http.StatusUnauthorized, "not signed in")
	}
	tenantID, id, ok := strings.Cut(c.Value, ".")
	if !ok {
		return Session{}, httpx.Error(http.StatusUnauthorized, "not signed in")
	}
	st := s.tenant(tenantID)
	var sess Session
	if err := st.GetJSON(r.Context(), sessionKey(id), &sess); err != nil {
		if kvstore.IsNotFound(err) {
			return Session{}, httpx.Error(http.StatusUnauthorized, "session expired")
		}
		return Session{}, err
	}
	if time.Since(sess.LastSeen) > 5*time.Minute {
		sess.LastSeen = time.Now().UTC()
		sess.IP = httpx.ClientIP(r)
		if err := st.PutJSON(r.Context(), sessionKey(id), sess, s.expiry.Lifetime("session")); err != nil { // EXPECT kvsession|kvrace
			return Session{}, err
		}
	}
	return sess, nil
}

// Peek returns a session for the admin console without extending it.
func (s *Sessions) Peek(ctx context.Context, tenantID, id string) (Session, bool, error) {
	opt, err := s.tenant(tenantID).Lookup(ctx, sessionKey(id))
	if err != nil {
		return Session{}, false, err
	}
	raw, ok := opt.Get()
	if !ok {
		return Session{}, false, nil
	}
	var sess Session
	return sess, true, json.Unmarshal(raw, &sess)
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
