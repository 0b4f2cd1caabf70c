//go:build js && wasm

// Package agents signs support agents in at the edge with e-mailed one-time
// codes and keeps their sessions, refresh tokens and CSRF tokens in KV.
package agents

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/httpx"
	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/kverr"
	"github.com/helpdeskco/sanderling/internal/origin"
)

const (
	sessionCookie = "hd_agent"
	maxAttempts   = 5
)

// ErrUnauthenticated is returned when a request has no valid agent session.
var ErrUnauthenticated = errors.New("agents: not signed in")

// Session is a signed-in agent.
type Session struct {
	ID       string    `json:"id"`
	AgentID  string    `json:"agent_id"`
	Email    string    `json:"email"`
	Roles    []string  `json:"roles"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

type refreshRecord struct {
	AgentID string    `json:"agent_id"`
	Email   string    `json:"email"`
	Issued  time.Time `json:"issued"`
}

// Service holds the agent sign-in handlers.
type Service struct {
	ttl      config.TTLConfig
	origin   *origin.Client
	sessions edgekv.Store
}

// New wires the agent service.
func New(cfg config.Config, oc *origin.Client) *Service {
	return &Service{ttl: cfg.KV.TTL, origin: oc, sessions: edgekv.Store{NS: edgekv.Sessions}}
}

// RequestCode e-mails a one-time sign-in code and returns the challenge ID
// the client must send back with it.
func (s *Service) RequestCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := httpx.Decode(r, 4<<10, &in); err != nil || !strings.Contains(in.Email, "@") {
		httpx.Error(w, http.StatusBadRequest, "invalid email")
		return
	}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	cdKey := keys.KindResendCooldown.Key(email)
	if m, err := edgekv.Lookup(edgekv.Sessions, cdKey); err == nil && m.IsSome() {
		httpx.Error(w, http.StatusTooManyRequests, "a code was sent recently")
		return
	}
	challenge, code := httpx.NewID(), sixDigits()
	if err := edgekv.PutString(edgekv.Sessions, keys.KindOTP.Key(email, challenge), code, s.ttl.OTP); err != nil {
		httpx.Fail(w, err)
		return
	}
	err := edgekv.Sessions.PutString(cdKey, "1", &cloudflare.KVNamespacePutOptions{ // DEBATABLE kvrace
		Expiration: int(time.Now().Add(keys.KindResendCooldown.TTL()).Unix()), // EXPECT kvttl
	})
	if err != nil {
		log.Printf("resend cooldown %s: %v", email, err)
	}
	mail, _ := json.Marshal(map[string]string{"to": email, "template": "signin-code", "code": code})
	if err := s.origin.Post(r.Context(), "/internal/mail", bytes.NewReader(mail)); err != nil {
		httpx.Error(w, http.StatusBadGateway, "could not send code")
		return
	}
	httpx.JSON(w, http.StatusAccepted, map[string]string{"challenge": challenge})
}

// VerifyCode exchanges a valid one-time code for a session.
func (s *Service) VerifyCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email, Challenge, Code string
	}
	if err := httpx.Decode(r, 4<<10, &in); err != nil {
		httpx.Error(w, http.StatusBadRequest, "invalid body")
		return
	}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	attemptsKey := keys.KindOTPAttempts.Key(in.Challenge)
	n, err := attempts(attemptsKey)
	if err != nil || n >= maxAttempts {
		httpx.Error(w, http.StatusTooManyRequests, "too many attempts")
		return
	}
	otpKey := keys.KindOTP.Key(email, in.Challenge)
	stored, err := edgekv.Sessions.GetString(otpKey, nil)
	if err != nil || stored == "" { // EXPECT kvnull
		httpx.Error(w, http.StatusUnauthorized, "code expired")
		return
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(in.Code)) != 1 {
		if err := edgekv.Sessions.PutString(attemptsKey, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}); err != nil { // EXPECT kvcounter
			log.Printf("otp attempts %s: %v", in.Challenge, err)
		}
		httpx.Error(w, http.StatusUnauthorized, "invalid code")
		return
	}
	if err := edgekv.Sessions.Delete(otpKey); err != nil { // EXPECT kvsession
		httpx.Fail(w, err)
		return
	}
	s.signIn(w, r.Context(), email)
}

// Logout ends the current session.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.sessions.Delete(keys.KindAgentSession.Key(c.Value)); err != nil { // EXPECT kvsession
			httpx.Fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// Refresh trades a refresh token for a new session and a new refresh token.
func (s *Service) Refresh(w http.ResponseWriter, r *http.Request) {
	var in struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := httpx.Decode(r, 4<<10, &in); err != nil || in.RefreshToken == "" {
		httpx.Error(w, http.StatusBadRequest, "invalid body")
		return
	}
	key := keys.KindRefreshToken.Key(in.RefreshToken)
	old, err := edgekv.Read[refreshRecord](edgekv.Sessions, key).Unwrap()
	var miss *kverr.MissError
	if errors.As(err, &miss) {
		httpx.Error(w, http.StatusUnauthorized, "unknown refresh token")
		return
	} else if err != nil {
		httpx.Fail(w, err)
		return
	}
	if err := s.sessions.Delete(key); err != nil { // EXPECT kvsession
		httpx.Fail(w, err)
		return
	}
	s.signIn(w, r.Context(), old.Email)
}

// Authenticate returns the session of the agent making r.
func (s *Service) Authenticate(r *http.Request) (Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return Session{}, ErrUnauthenticated
	}
	key := keys.KindAgentSession.Key(c.Value)
	var sess Session
	if ok, err := s.sessions.GetJSON(key, &sess); err != nil || !ok {
		return Session{}, errors.Join(ErrUnauthenticated, err)
	}
	revoked, err := edgekv.Lookup(edgekv.Sessions, keys.Key("revoked", "agent", sess.AgentID))
	if err != nil || revoked.IsSome() {
		return Session{}, errors.Join(ErrUnauthenticated, err)
	}
	sess.LastSeen = time.Now().UTC()
	if err := s.sessions.PutJSON(key, sess, s.ttl.Session); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return sess, nil
}

// signIn creates a session, a refresh token and a CSRF token for the agent
// with this e-mail address and sets the session cookie.
func (s *Service) signIn(w http.ResponseWriter, ctx context.Context, email string) {
	b, err := s.origin.Get(ctx, "/internal/agents/by-email/"+email)
	var a struct {
		ID    string   `json:"id"`
		Roles []string `json:"roles"`
	}
	if err != nil || json.Unmarshal(b, &a) != nil {
		httpx.Error(w, http.StatusForbidden, "not an active agent")
		return
	}
	now := time.Now().UTC()
	sess := Session{ID: httpx.NewID(), AgentID: a.ID, Email: email, Roles: a.Roles, Created: now, LastSeen: now}
	if err := s.sessions.PutJSON(keys.KindAgentSession.Key(sess.ID), sess, s.ttl.Session); err != nil {
		httpx.Fail(w, err)
		return
	}
	refresh := httpx.NewID()
	rec := refreshRecord{AgentID: a.ID, Email: email, Issued: now}
	if err := s.sessions.PutJSON(keys.KindRefreshToken.Key(refresh), rec, s.ttl.Refresh); err != nil {
		httpx.Fail(w, err)
		return
	}
	csrf, err := s.IssueCSRF(sess.ID)
	if err != nil {
		httpx.Fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.ttl.Session / time.Second),
	})
	httpx.JSON(w, http.StatusOK, map[string]string{"refresh_token": refresh, "csrf": csrf})
}

func attempts(key string) (int, error) {
	m, err := edgekv.Lookup(edgekv.Sessions, key)
	if err != nil {
		return 0, err
	}
	if v, ok := m.Get(); ok {
		return strconv.Atoi(v)
	}
	return 0, nil
}

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}
