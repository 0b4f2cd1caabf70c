// Package sessions manages the sign-in sessions of campaign editors.
// Sessions are minted with a random ID and a TTL and read on every
// dashboard request.
package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
	"example.com/larkspur/internal/tokens"
)

// Store is the storage port sessions need.
type Store = kvstore.Store

// ErrNoSession is returned for a missing, expired or malformed cookie.
var ErrNoSession = errors.New("sessions: no valid session")

type options struct {
	ttl    time.Duration
	cookie string
}

// Option configures a Manager.
type Option interface{ apply(*options) }

type ttlOption time.Duration

func (o ttlOption) apply(opts *options) { opts.ttl = time.Duration(o) }

type cookieOption string

func (o cookieOption) apply(opts *options) { opts.cookie = string(o) }

// WithTTL sets how long a session lives after sign-in.
func WithTTL(d time.Duration) Option { return ttlOption(d) }

// WithCookie sets the session cookie name.
func WithCookie(name string) Option { return cookieOption(name) }

// Manager creates, reads and ends editor sessions.
type Manager struct {
	st   Store
	ks   keys.Space
	opts options
}

// NewManager returns a Manager. Sessions last 12 hours unless configured.
func NewManager(ks keys.Space, opts ...Option) *Manager {
	o := options{ttl: 12 * time.Hour, cookie: "lk_session"}
	for _, opt := range opts {
		opt.apply(&o)
	}
	o.ttl = max(o.ttl, 5*time.Minute)
	return &Manager{ks: ks, opts: o}
}

// SetStore injects the storage adapter.
func (m *Manager) SetStore(st Store) { m.st = st }

// sessionEntry returns the key of a session and the TTL it is written with.
func (m *Manager) sessionEntry(userID, id string) (string, time.Duration) {
	return m.ks.Session(userID, id), m.opts.ttl
}

// Create signs a user in and returns the cookie to set.
func (m *Manager) Create(ctx context.Context, userID, workspace string) (*http.Cookie, error) {
	now := time.Now().UTC()
	s := domain.EditorSession{ID: tokens.NewSecret(), UserID: userID, Workspace: workspace, CreatedAt: now, LastSeen: now}
	key, ttl := m.sessionEntry(userID, s.ID)
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := m.st.Put(ctx, key, b, kvstore.WithTTL(ttl)); err != nil {
		return nil, err
	}
	return &http.Cookie{Name: m.opts.cookie, Value: userID + "." + s.ID, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}, nil
}

func (m *Manager) parse(r *http.Request) (userID, id string, ok bool) {
	c, err := r.Cookie(m.opts.cookie)
	if err != nil {
		return "", "", false
	}
	userID, id, ok = strings.Cut(c.Value, ".")
	return userID, id, ok && userID != "" && id != ""
}

// Lookup returns the session of a request.
func (m *Manager) Lookup(r *http.Request) (domain.EditorSession, error) {
	userID, id, ok := m.parse(r)
	if !ok {
		return domain.EditorSession{}, ErrNoSession
	}
	key, _ := m.sessionEntry(userID, id)
	s, err := kvstore.Load[domain.EditorSession](r.Context(), m.st, key)
	if kvstore.IsNotFound(err) {
		return domain.EditorSession{}, ErrNoSession
	}
	return s, err
}

// touch records activity so that idle sessions can be told apart from
// active ones, and pushes the expiry forward.
func (m *Manager) touch(ctx context.Context, s domain.EditorSession) error {
	s.LastSeen = time.Now().UTC()
	key, ttl := m.sessionEntry(s.UserID, s.ID)
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.st.Put(ctx, key, b, kvstore.WithTTL(ttl)) // EXPECT kvsession
}

// Logout ends the session of the request and clears the cookie.
func (m *Manager) Logout(w http.ResponseWriter, r *http.Request) {
	if userID, id, ok := m.parse(r); ok {
		key, _ := m.sessionEntry(userID, id)
		if err := m.st.Delete(r.Context(), key); err != nil { // EXPECT kvsession
			httpx.Fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: m.opts.cookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

type ctxKey struct{}

// Current returns the session stored by Require.
func Current(ctx context.Context) (domain.EditorSession, bool) {
	s, ok := ctx.Value(ctxKey{}).(domain.EditorSession)
	return s, ok
}

// Require rejects requests without a session and keeps active sessions
// alive.
func (m *Manager) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.Lookup(r)
		if errors.Is(err, ErrNoSession) {
			httpx.Error(w, http.StatusUnauthorized, "sign in required")
			return
		}
		if err != nil {
			httpx.Fail(w, err)
			return
		}
		if err := m.touch(r.Context(), s); err != nil {
			httpx.Fail(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
	})
}
