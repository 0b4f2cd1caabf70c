//go:build js && wasm

// Package sessions handles player sign-in for the lobby Worker: sessions,
// refresh tokens, CSRF nonces, magic links and OAuth state.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

// Session is a signed-in player.
type Session struct {
	ID        string    `json:"id"`
	Player    string    `json:"player"`
	Region    string    `json:"region"`
	Device    string    `json:"device"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Refresh is a long-lived refresh token record.
type Refresh struct {
	Token   string `json:"token"`
	Player  string `json:"player"`
	Session string `json:"session"`
}

// SessionStore persists sessions. Get is shadowed to enforce ExpiresAt even
// when KV has not expired the key yet.
type SessionStore struct {
	kvbase.Table[Session]
}

// Get returns a live session.
func (s *SessionStore) Get(ctx context.Context, id string) (Session, error) {
	sess, err := s.Table.Get(ctx, id)
	if err != nil {
		return sess, err
	}
	if time.Now().After(sess.ExpiresAt) {
		return Session{}, &kvbase.NotFoundError{Key: s.KeyFor(ctx, id)}
	}
	return sess, nil
}

// Service implements sign-in.
type Service struct {
	Sessions *SessionStore
	Refresh  kvbase.Table[Refresh]
	Auth     *kv.Namespace
	Bucket   *kvbase.Bucket
	Cfg      config.Config
}

// New wires the service over the AUTH namespace.
func New(auth *kv.Namespace, cfg config.Config, rec *kvbase.Recorder) *Service {
	return &Service{
		Sessions: &SessionStore{Table: kvbase.Table[Session]{NS: auth, Prefix: "sess", TTL: cfg.SessionTTL, Metrics: rec}},
		Refresh:  kvbase.Table[Refresh]{NS: auth, Prefix: "refresh", TTL: cfg.RefreshTTL, Metrics: rec},
		Auth:     auth,
		Bucket:   &kvbase.Bucket{NS: auth, Metrics: rec},
		Cfg:      cfg,
	}
}

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start creates a session and a refresh token for a freshly authenticated player.
func (s *Service) Start(ctx context.Context, player, device string) (Session, Refresh, error) {
	now := time.Now().UTC()
	sess := Session{ID: token(24), Player: player, Region: s.Cfg.Region, Device: device, Created: now, LastSeen: now, ExpiresAt: now.Add(s.Cfg.SessionTTL)}
	ref := Refresh{Token: token(32), Player: player, Session: sess.ID}
	keys := kvbase.Keys{Tenant: tenant.From(ctx)}
	idx := keys.Prefix("byplayer", player)
	ttl := int(s.Cfg.RefreshTTL.Seconds())
	err := errors.Join(
		s.Sessions.Put(ctx, sess, sess.ID),
		s.Refresh.Put(ctx, ref, ref.Token),
		s.Bucket.PutTTL(ctx, idx+"sess"+kvbase.Sep+sess.ID, nil, ttl),
		s.Bucket.PutTTL(ctx, idx+"refresh"+kvbase.Sep+ref.Token, nil, ttl),
	)
	return sess, ref, err
}

// Authenticate resolves the bearer session of a request and slides its expiry.
func (s *Service) Authenticate(ctx context.Context, id string) (Session, error) {
	sess, err := s.Sessions.Get(ctx, id)
	if err != nil {
		return sess, err
	}
	sess.LastSeen = time.Now().UTC()
	sess.ExpiresAt = sess.LastSeen.Add(s.Cfg.SessionTTL)
	return sess, s.Sessions.Put(ctx, sess, id) // EXPECT kvsession
}

// Peek resolves a session without touching it (used by read-only endpoints).
func (s *Service) Peek(ctx context.Context, id string) (Session, error) {
	return s.Sessions.Get(ctx, id)
}

// SwitchRegion moves a session to another matchmaking region.
func (s *Service) SwitchRegion(ctx context.Context, id, region string) error {
	sess, err := s.Sessions.Get(ctx, id)
	if err != nil {
		return err
	}
	sess.Region = region
	return s.Sessions.PutFor(ctx, sess, time.Until(sess.ExpiresAt), id) // EXPECT kvsession
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, id string) error {
	return s.Sessions.Delete(ctx, id) // EXPECT kvsession
}

// Rotate exchanges a refresh token for a new one.
func (s *Service) Rotate(ctx context.Context, old string) (Refresh, error) {
	ref, err := s.Refresh.Get(ctx, old)
	if err != nil {
		return Refresh{}, err
	}
	next := Refresh{Token: token(32), Player: ref.Player, Session: ref.Session}
	if err := s.Refresh.Put(ctx, next, next.Token); err != nil {
		return Refresh{}, err
	}
	return next, s.Refresh.Delete(ctx, old) // EXPECT kvsession
}

func revokeKeys(ns *kv.Namespace, keys kvbase.Keys, keyFn func(kvbase.Keys, string) string, ids []string) error {
	var errs []error
	for _, id := range ids {
		errs = append(errs, ns.Delete(keyFn(keys, id))) // EXPECT kvsession
	}
	return errors.Join(errs...)
}

// RevokeAll signs a player out everywhere, e.g. after a password change.
func (s *Service) RevokeAll(ctx context.Context, player string) error {
	keys := kvbase.Keys{Tenant: tenant.From(ctx)}
	prefix := keys.Prefix("byplayer", player)
	var sessIDs, refIDs []string
	cursor := ""
	for {
		res, err := s.Auth.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			kind, id, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), kvbase.Sep)
			switch kind {
			case "sess":
				sessIDs = append(sessIDs, id)
			case "refresh":
				refIDs = append(refIDs, id)
			}
		}
		cursor = res.Cursor
	}
	return errors.Join(
		revokeKeys(s.Auth, keys, kvbase.Keys.Session, sessIDs),
		revokeKeys(s.Auth, keys, kvbase.Keys.Refresh, refIDs),
	)
}

// IssueNonce mints a CSRF nonce for a form.
func (s *Service) IssueNonce(ctx context.Context) (string, error) {
	n := token(16)
	key := kvbase.Keys{Tenant: tenant.From(ctx)}.Nonce(n)
	return n, s.Bucket.PutTTL(ctx, key, []byte("1"), s.Cfg.NonceTTLSeconds)
}

// ConsumeNonce checks and burns a CSRF nonce.
func (s *Service) ConsumeNonce(ctx context.Context, n string) error {
	key := kvbase.Keys{Tenant: tenant.From(ctx)}.Nonce(n)
	if _, err := s.Bucket.Get(ctx, key); err != nil {
		return err
	}
	return s.Auth.Delete(key) // EXPECT kvsession
}

// SendMagicLink stores a sign-in link token for an e-mail address.
func (s *Service) SendMagicLink(ctx context.Context, email string) (string, error) {
	t := token(32)
	key := kvbase.Keys{Tenant: tenant.From(ctx)}.Magic(t)
	return t, s.Bucket.PutTTL(ctx, key, []byte(kvbase.Opaque(email)), s.Cfg.MagicLinkTTLSeconds)
}

// RedeemMagicLink turns a magic link into a session.
func (s *Service) RedeemMagicLink(ctx context.Context, t, device string) (Session, error) {
	key := kvbase.Keys{Tenant: tenant.From(ctx)}.Magic(t)
	who, err := s.Bucket.Get(ctx, key)
	if err != nil {
		return Session{}, err
	}
	if err := s.Bucket.Delete(ctx, key); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	sess, _, err := s.Start(ctx, string(who), device)
	return sess, err
}

// CompleteOAuth validates the state parameter of an OAuth callback.
func (s *Service) CompleteOAuth(ctx context.Context, state string) (string, error) {
	key := kvbase.Keys{Tenant: tenant.From(ctx)}.OAuthState(state)
	verifier, err := s.Auth.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if verifier == "<null>" {
		return "", &kvbase.NotFoundError{Key: key}
	}
	defer s.Auth.Delete(key) // EXPECT kvsession
	return verifier, nil
}

// RecordFailure counts a failed sign-in from an address and reports whether
// the address is now locked out.
func (s *Service) RecordFailure(ctx context.Context, ip string) (bool, error) {
	key := kvbase.Key(tenant.From(ctx), "login", "attempts", ip)
	raw, err := s.Auth.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if raw != "<null>" {
		n, _ = strconv.Atoi(raw)
	}
	n++
	if err := s.Auth.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return n >= 10, nil
}

// Handlers serves the auth API.
type Handlers struct {
	Svc *Service
}

// Register installs the auth routes.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /auth/magic/{token}", func(w http.ResponseWriter, r *http.Request) {
		sess, err := h.Svc.RedeemMagicLink(tenant.FromRequest(r), r.PathValue("token"), r.UserAgent())
		if err != nil {
			http.Error(w, "link expired", http.StatusGone)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: sess.ID, HttpOnly: true, Secure: true, Path: "/", Expires: sess.ExpiresAt})
		http.Redirect(w, r, "/lobby", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /auth/logout", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("sid"); err == nil {
			_ = h.Svc.Logout(tenant.FromRequest(r), c.Value)
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", MaxAge: -1, Path: "/"})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /auth/refresh", func(w http.ResponseWriter, r *http.Request) {
		next, err := h.Svc.Rotate(tenant.FromRequest(r), r.FormValue("refresh_token"))
		if err != nil {
			http.Error(w, "invalid refresh token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"refresh_token": next.Token})
	})
}

// Resolve authenticates the session cookie of a request.
func (h *Handlers) Resolve(r *http.Request) (context.Context, error) {
	ctx := tenant.FromRequest(r)
	c, err := r.Cookie("sid")
	if err != nil {
		return ctx, err
	}
	sess, err := h.Svc.Authenticate(ctx, c.Value)
	if err != nil {
		return ctx, err
	}
	return tenant.WithPlayer(ctx, sess.Player), nil
}
