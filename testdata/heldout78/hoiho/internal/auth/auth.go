// Package auth keeps registry sessions, API tokens, one-time upload tickets
// and SSO state in KV.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hoiho-dev/hoiho/internal/kvstore"
)

// Config holds the lifetimes and limits of the auth subsystem.
type Config struct {
	SessionTTL  time.Duration // e.g. 12h
	TicketTTL   time.Duration // upload tickets, e.g. 10m
	FailWindow  time.Duration // login failure window from HOIHO_FAIL_WINDOW
	MaxFailures int
	IdleRenewal bool
}

// Service implements login, logout and token handling.
type Service struct {
	KV  *kvstore.Store
	Cfg Config
	Now func() time.Time
}

var (
	ErrNoSession   = errors.New("auth: no such session")
	ErrBadTicket   = errors.New("auth: upload ticket invalid or used")
	ErrRateLimited = errors.New("auth: too many failed logins")
)

// Session is the server-side state of a browser login.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"uid"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

func sessionKey(id string) string          { return "sess:" + id }
func userSessionKey(uid, id string) string { return "usersess:" + uid + ":" + id }
func ticketKey(id string) string           { return "ticket:" + id }
func apiTokenKey(tok string) string        { return "apitoken:" + tok }
func revokedKey(jti string) string         { return "revoked:" + jti }
func oauthStateKey(state string) string    { return "oauthstate:" + state }
func failKey(ip string) string             { return "ratelimit:login:" + ip }

// Start creates a session for a user who just authenticated.
func (s *Service) Start(ctx context.Context, uid string) (*Session, error) {
	now := s.Now()
	sess := &Session{ID: rand.Text(), UserID: uid, Created: now, LastSeen: now}
	if err := s.KV.PutJSON(ctx, sessionKey(sess.ID), sess, s.Cfg.SessionTTL); err != nil {
		return nil, err
	}
	if err := s.KV.Put(ctx, userSessionKey(uid, sess.ID), nil, s.Cfg.SessionTTL); err != nil {
		return nil, err
	}
	return sess, nil
}

// Lookup resolves the session cookie of a request.
func (s *Service) Lookup(ctx context.Context, r *http.Request) (*Session, error) {
	c, err := r.Cookie("hoiho_session")
	if err != nil {
		return nil, ErrNoSession
	}
	var sess Session
	if err := s.KV.GetJSON(ctx, sessionKey(c.Value), &sess); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrNoSession
		}
		return nil, err
	}
	if s.Cfg.IdleRenewal {
		sess.LastSeen = s.Now()
		if err := s.KV.PutJSON(ctx, sessionKey(sess.ID), &sess, s.Cfg.SessionTTL); err != nil { // EXPECT kvsession|kvrace
			return nil, err
		}
	}
	return &sess, nil
}

// Logout ends the session named by the request cookie.
func (s *Service) Logout(ctx context.Context, sess *Session) error {
	if err := s.KV.Delete(ctx, sessionKey(sess.ID)); err != nil { // EXPECT kvsession
		return err
	}
	return s.KV.Delete(ctx, userSessionKey(sess.UserID, sess.ID))
}

// EndAllSessions is called after a password change.
func (s *Service) EndAllSessions(ctx context.Context, uid string) error {
	prefix := "usersess:" + uid + ":"
	cursor := ""
	for page := 0; page < 20; page++ {
		keys, next, err := s.KV.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			id := strings.TrimPrefix(k.Name, prefix)
			if err := s.KV.Delete(ctx, sessionKey(id)); err != nil { // EXPECT kvsession
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// Ticket authorises exactly one artifact upload.
type Ticket struct {
	UserID string `json:"uid"`
	Module string `json:"module"`
}

// MintTicket issues a fresh upload ticket.
func (s *Service) MintTicket(ctx context.Context, t Ticket) (string, error) {
	id := rand.Text()
	return id, s.KV.PutJSON(ctx, ticketKey(id), t, s.Cfg.TicketTTL)
}

// RedeemTicket validates and consumes an upload ticket.
func (s *Service) RedeemTicket(ctx context.Context, id string) (Ticket, error) {
	var t Ticket
	if err := s.KV.GetJSON(ctx, ticketKey(id), &t); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return t, ErrBadTicket
		}
		return t, err
	}
	return t, s.KV.Delete(ctx, ticketKey(id)) // EXPECT kvsession
}

// RotateToken replaces an API token. The old token stops working.
func (s *Service) RotateToken(ctx context.Context, old string) (string, error) {
	owner, err := s.KV.Get(ctx, apiTokenKey(old))
	if err != nil {
		return "", err
	}
	fresh := "hoiho_" + rand.Text()
	if err := s.KV.Put(ctx, apiTokenKey(fresh), owner, 0); err != nil {
		return "", err
	}
	if err := s.KV.Delete(ctx, apiTokenKey(old)); err != nil { // EXPECT kvsession
		return "", err
	}
	return fresh, nil
}

// Revoke puts a signed upload token's ID on the revocation list until the
// token would have expired anyway.
func (s *Service) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if time.Until(exp) < time.Minute {
		exp = s.Now().Add(time.Minute)
	}
	return s.KV.PutUntil(ctx, revokedKey(jti), []byte("1"), exp) // EXPECT kvsession
}

// BeginSSO stores the OAuth state parameter for the callback.
func (s *Service) BeginSSO(ctx context.Context, returnTo string) (string, error) {
	state := rand.Text()
	return state, s.KV.Put(ctx, oauthStateKey(state), []byte(returnTo), 10*time.Minute)
}

// FinishSSO checks the state parameter of the callback and consumes it.
func (s *Service) FinishSSO(ctx context.Context, state string) (string, error) {
	returnTo, err := s.KV.Get(ctx, oauthStateKey(state))
	if err != nil {
		return "", err
	}
	if err := s.KV.Delete(ctx, oauthStateKey(state)); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(returnTo), nil
}

// NoteFailure records a failed login from ip and reports whether the ip is
// now locked out.
func (s *Service) NoteFailure(ctx context.Context, ip string) error {
	n := 0
	if raw, err := s.KV.Get(ctx, failKey(ip)); err == nil { // DEBATABLE kvnull
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	ttl := max(2*s.Cfg.FailWindow, 10*time.Second)                                   // EXPECT kvttl
	if err := s.KV.Put(ctx, failKey(ip), []byte(strconv.Itoa(n)), ttl); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n > s.Cfg.MaxFailures {
		return ErrRateLimited
	}
	return nil
}

// Profile is public account data cached from the identity provider.
type Profile struct {
	Login string `json:"login"`
	Name  string `json:"name"`
}

// CachedProfile is a read-through cache in front of the identity provider.
func (s *Service) CachedProfile(ctx context.Context, uid string, fetch func(context.Context, string) (Profile, error)) (Profile, error) {
	var p Profile
	err := s.KV.GetJSON(ctx, "profile:"+uid, &p)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return p, err
	}
	if p, err = fetch(ctx, uid); err != nil {
		return p, err
	}
	raw, _ := json.Marshal(p)
	return p, s.KV.Fill(ctx, "profile:"+uid, raw, 15*time.Second)
}
