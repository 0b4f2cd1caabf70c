// Package auth handles staff sign-in for the venue console: sessions,
// failed-login tracking and password reset links.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/kvstore"
	"example.com/juniper/internal/records"
)

var (
	ErrBadCredentials = errors.New("auth: bad credentials")
	ErrLockedOut      = errors.New("auth: too many failed attempts")
	ErrNoSession      = errors.New("auth: no session")
)

const maxFailures = 8

// Directory is the staff account system of record.
type Directory interface {
	Verify(ctx context.Context, email, password string) (staffID string, venues []string, err error)
	SetPassword(ctx context.Context, email, password string) error
}

// Session is a signed-in staff member.
type Session struct {
	ID        string    `json:"id"`
	StaffID   string    `json:"staff"`
	Venues    []string  `json:"venues"`
	LastSeen  time.Time `json:"seen"`
	ExpiresAt time.Time `json:"exp"`
}

// LogValue keeps the session id out of logs.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("staff", s.StaffID), slog.Int("venues", len(s.Venues)))
}

// Sessions issues and checks console sessions. store and ns address the
// same namespace; ns is used where the raw API is needed.
type Sessions struct {
	store kvstore.Store
	ns    cfapi.Namespace
	dir   Directory
	ttl   time.Duration
	now   func() time.Time
}

// NewSessions wires the session service.
func NewSessions(store kvstore.Store, ns cfapi.Namespace, dir Directory, ttl time.Duration) *Sessions {
	return &Sessions{store: store, ns: ns, dir: dir, ttl: ttl, now: time.Now}
}

func sessionKey(id string) string { return "session/" + id }

// Login checks credentials and creates a session.
func (s *Sessions) Login(ctx context.Context, email, password string) (Session, error) {
	if n, err := s.failures(ctx, email); err == nil && n >= maxFailures {
		return Session{}, ErrLockedOut
	}
	staffID, venues, err := s.dir.Verify(ctx, email, password)
	if errors.Is(err, ErrBadCredentials) {
		if ferr := s.recordFailure(ctx, email); ferr != nil {
			slog.WarnContext(ctx, "could not record failed login", "err", ferr)
		}
		return Session{}, err
	} else if err != nil {
		return Session{}, err
	}
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	now := s.now()
	sess := Session{ID: base64.RawURLEncoding.EncodeToString(raw), StaffID: staffID, Venues: venues, LastSeen: now, ExpiresAt: now.Add(s.ttl)}
	b, _ := json.Marshal(sess)
	if err := s.store.Put(ctx, sessionKey(sess.ID), b, kvstore.WithTTL(s.ttl)); err != nil {
		return Session{}, err
	}
	slog.InfoContext(ctx, "signed in", "session", sess)
	return sess, nil
}

// Lookup returns the live session for id.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	b, err := s.store.Get(ctx, sessionKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, ErrNoSession
	} else if err != nil {
		return Session{}, err
	}
	var sess Session
	if err := json.Unmarshal(b, &sess); err != nil || !s.now().Before(sess.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Touch extends an active session so staff working a long service are not
// signed out mid-shift.
func (s *Sessions) Touch(ctx context.Context, sess Session) error {
	sess.LastSeen = s.now()
	sess.ExpiresAt = sess.LastSeen.Add(s.ttl)
	b, _ := json.Marshal(sess)
	_, err := s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, url.PathEscape(sessionKey(sess.ID)), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(s.ttl.Seconds()),
	})
	return err
}

// Logout ends the session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.store.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

func (s *Sessions) failures(ctx context.Context, email string) (int, error) {
	b, err := s.store.Get(ctx, records.Hash("login-attempts/", email))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

func (s *Sessions) recordFailure(ctx context.Context, email string) error {
	n, err := s.failures(ctx, email)
	if err != nil {
		return err
	}
	key := records.Hash("login-attempts/", email)
	return s.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(15*time.Minute)) // EXPECT kvcounter
}

type ctxKey struct{}

// FromContext returns the session stored by Middleware.
func FromContext(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(Session)
	return s, ok
}

// Middleware authenticates console requests by bearer token.
func (s *Sessions) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sess, err := s.Lookup(r.Context(), id)
		if id == "" || err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if err := s.Touch(r.Context(), sess); err != nil {
			slog.WarnContext(r.Context(), "session touch failed", "session", sess, "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}
