// Package auth signs guests in and keeps their sessions.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/pipit/internal/bus"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/keys"
	"example.com/pipit/internal/kvop"
	"example.com/pipit/internal/store"
)

const (
	cookieName = "pipit_sid"
	refreshTTL = 30 * 24 * time.Hour
)

// Revoker revokes access tokens by id.
type Revoker interface {
	Revoke(ctx context.Context, jti string, until time.Time) error
}

// Deps are the collaborators of the auth service.
type Deps struct {
	Sessions   SessionStore
	KV         store.KV
	Exec       kvop.Exec
	VerifyID   Verifier
	Revoker    Revoker
	Idle       time.Duration
	OnSignedIn []func(ctx context.Context, guestID, device string) error
	Log        *slog.Logger
}

// Service handles sign-in, sign-out and session checks.
type Service struct {
	Deps
	guard Guard
}

// New returns the service.
func New(d Deps) *Service {
	return &Service{Deps: d, guard: Guard{kv: d.KV, limit: 5, window: 15 * time.Minute}}
}

// Guard counts failed sign-ins per client address.
type Guard struct {
	kv     store.KV
	limit  int
	window time.Duration
}

func (g Guard) failures(ctx context.Context, client string) (int, error) {
	b, err := g.kv.Get(ctx, "login-attempts:"+client)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

// Fail records one failed attempt.
func (g Guard) Fail(ctx context.Context, client string) error {
	n, err := g.failures(ctx, client)
	if err != nil {
		return err
	}
	return g.kv.Put(ctx, "login-attempts:"+client, []byte(strconv.Itoa(n+1)), store.WithTTL(g.window)) // EXPECT kvcounter
}

// GuestLogin serves POST /auth/guest/login: it exchanges the guest app's
// ID token for a session.
func (s *Service) GuestLogin(w http.ResponseWriter, r *http.Request) error {
	ctx, client := r.Context(), httpx.ClientIP(r)
	if n, err := s.guard.failures(ctx, client); err != nil || n >= s.guard.limit {
		return httpx.ErrTooMany
	}
	req, err := httpx.Decode[struct {
		IDToken string `json:"id_token"`
		Device  string `json:"device"`
	}](w, r)
	claims, verr := s.VerifyID(ctx, req.IDToken)
	if err != nil || verr != nil {
		return errors.Join(httpx.ErrUnauthorized, s.guard.Fail(ctx, client))
	}
	sess := Session{ID: httpx.NewID(), GuestID: claims.Subject, Roles: []string{"guest"}, IssuedAt: time.Now(), ExpiresAt: claims.ExpiresAt()}
	// The session lives exactly as long as the identity provider's token.
	if err := s.Sessions.Save(ctx, sess, time.Until(sess.ExpiresAt)); err != nil { // EXPECT kvttl
		return err
	}
	for _, hook := range s.OnSignedIn {
		if err := hook(ctx, sess.GuestID, req.Device); err != nil {
			s.Log.WarnContext(ctx, "sign-in hook", "err", err)
		}
	}
	return s.respond(ctx, w, sess)
}

func (s *Service) respond(ctx context.Context, w http.ResponseWriter, sess Session) error {
	refresh, err := s.issueRefresh(ctx, sess)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sess.ID, Path: "/", Expires: sess.ExpiresAt, HttpOnly: true, Secure: true})
	return httpx.JSON(w, http.StatusOK, map[string]any{"session": sess.ID, "refresh_token": refresh, "expires_at": sess.ExpiresAt})
}

// Logout is the command to end the caller's session.
type Logout struct {
	SessionID string `json:"-"`
}

// RevokeEverywhere ends a guest's app tokens, e.g. after a password change.
type RevokeEverywhere struct {
	TokenIDs []string  `json:"token_ids"`
	Until    time.Time `json:"until"`
}

// Register installs the service's command handlers.
func (s *Service) Register(b *bus.Bus) {
	bus.Register(b, func(ctx context.Context, cmd Logout) error {
		return s.Sessions.Drop(ctx, cmd.SessionID) // EXPECT kvsession
	})
	bus.Register(b, func(ctx context.Context, cmd RevokeEverywhere) error {
		var errs []error
		for _, jti := range cmd.TokenIDs {
			errs = append(errs, s.Revoker.Revoke(ctx, jti, cmd.Until))
		}
		return errors.Join(errs...)
	})
}

// RequireSession loads the caller's session and keeps it alive while used.
func (s *Service) RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := r.Cookie(cookieName)
		var sess Session
		if err == nil {
			sess, err = s.Sessions.Load(ctx, c.Value)
		}
		if err != nil || time.Now().After(sess.ExpiresAt) {
			http.Error(w, httpx.ErrUnauthorized.Error(), http.StatusUnauthorized)
			return
		}
		if !sess.Staff() {
			sess.ExpiresAt = time.Now().Add(s.Idle)
			if err := s.Sessions.Save(ctx, sess, s.Idle); err != nil { // EXPECT kvsession
				s.Log.WarnContext(ctx, "extend session", "err", err)
			}
		}
		p := httpx.Principal{SessionID: sess.ID, GuestID: sess.GuestID, StaffID: sess.StaffID, Roles: sess.Roles}
		next.ServeHTTP(w, r.WithContext(httpx.WithPrincipal(ctx, p)))
	})
}

type refreshRecord struct {
	SessionID string `json:"sid"`
	GuestID   string `json:"guest"`
	Used      bool   `json:"used"`
}

func refreshKey(token string) string { return "auth:refresh:" + token }

func (s *Service) issueRefresh(ctx context.Context, sess Session) (string, error) {
	token := httpx.NewID() + httpx.NewID()
	b, _ := json.Marshal(refreshRecord{SessionID: sess.ID, GuestID: sess.GuestID})
	_, err := s.Exec(ctx, kvop.Put(refreshKey(token), b, refreshTTL))
	return token, err
}

// Refresh serves POST /auth/token/refresh: it rotates a refresh token and
// starts a new session.
func (s *Service) Refresh(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	req, _ := httpx.Decode[struct {
		RefreshToken string `json:"refresh_token"`
	}](w, r)
	res, err := s.Exec(ctx, kvop.Get(refreshKey(req.RefreshToken)))
	var rec refreshRecord
	if err == nil {
		err = json.Unmarshal(res.Value, &rec)
	}
	if err != nil || rec.Used {
		return fmt.Errorf("%w: unknown or used refresh token", httpx.ErrUnauthorized)
	}
	rec.Used = true
	b, _ := json.Marshal(rec)
	if _, err := s.Exec(ctx, kvop.Put(refreshKey(req.RefreshToken), b, time.Hour)); err != nil { // EXPECT kvsession
		return err
	}
	sess := Session{ID: httpx.NewID(), GuestID: rec.GuestID, Roles: []string{"guest"}, IssuedAt: time.Now(), ExpiresAt: time.Now().Add(s.Idle)}
	if err := s.Sessions.Save(ctx, sess, s.Idle); err != nil {
		return err
	}
	return s.respond(ctx, w, sess)
}

// Session is a signed-in guest or staff member.
type Session struct {
	ID        string    `json:"sid"`
	GuestID   string    `json:"guest,omitempty"`
	StaffID   string    `json:"staff,omitempty"`
	Roles     []string  `json:"roles,omitempty"`
	IssuedAt  time.Time `json:"iat"`
	ExpiresAt time.Time `json:"exp"`
}

// Staff reports whether the session belongs to a staff member.
func (s Session) Staff() bool { return s.StaffID != "" }

// SessionStore is the port through which sessions are kept.
type SessionStore struct {
	Load func(ctx context.Context, id string) (Session, error)
	Save func(ctx context.Context, s Session, ttl time.Duration) error
	Drop func(ctx context.Context, id string) error
}

// KVSessions keeps sessions in the key-value store.
func KVSessions(kv store.KV) SessionStore {
	key := keys.Scoped("auth")("session")
	return SessionStore{
		Load: func(ctx context.Context, id string) (Session, error) {
			var s Session
			b, err := kv.Get(ctx, key(id))
			if err != nil {
				return s, err
			}
			return s, json.Unmarshal(b, &s)
		},
		Save: func(ctx context.Context, s Session, ttl time.Duration) error {
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			return kv.Put(ctx, key(s.ID), b, store.WithTTL(ttl))
		},
		Drop: func(ctx context.Context, id string) error { return kv.Delete(ctx, key(id)) },
	}
}
