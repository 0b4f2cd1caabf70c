package players

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/arcadia-games/bushtit/internal/kvstore"
)

// Session is what a session key holds.
type Session struct {
	Player   PlayerID  `json:"player"`
	Role     string    `json:"role"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Sessions issues and checks login sessions.
type Sessions struct {
	KV  kvstore.Store
	TTL time.Duration

	mu       sync.Mutex
	failures map[string]int
}

var ErrNoSession = errors.New("players: no session")

const sessionCookie = "arc_session"

// Login creates a session for player and sets the cookie.
func (s *Sessions) Login(ctx context.Context, w http.ResponseWriter, player PlayerID, role string) (SessionID, error) {
	id := SessionID(randomToken(24))
	now := time.Now().UTC()
	sess := Session{player, role, now, now}
	if err := kvstore.SaveJSON(ctx, s.KV, id.String(), sess, s.TTL); err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    string(id),
		MaxAge:   int(s.TTL.Seconds()),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
	return id, nil
}

// Authenticate resolves the request's session and keeps it alive.
func (s *Sessions) Authenticate(r *http.Request) (SessionID, *Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", nil, ErrNoSession
	}
	id := SessionID(c.Value)
	var sess Session
	ok, err := kvstore.LoadJSON(r.Context(), s.KV, fmt.Sprint(id), &sess)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, ErrNoSession
	}
	sess.LastSeen = time.Now().UTC()
	if err := kvstore.SaveJSON(r.Context(), s.KV, fmt.Sprint(id), sess, s.TTL); err != nil { // EXPECT kvsession|kvrace
		return "", nil, err
	}
	return id, &sess, nil
}

// Logout ends the session.
func (s *Sessions) Logout(w http.ResponseWriter, r *http.Request) error {
	id, _, err := s.Authenticate(r)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, MaxAge: -1})
	return s.KV.Delete(r.Context(), id.String()) // EXPECT kvsession
}

// StartMFA stores a pending second-factor challenge for the player.
func (s *Sessions) StartMFA(ctx context.Context, w http.ResponseWriter, player PlayerID, code string) error {
	pending := &http.Cookie{Name: "mfa_pending", Value: string(player), MaxAge: 45, HttpOnly: true, Secure: true}
	http.SetCookie(w, pending)
	challenge := map[string]string{"player": string(player), "code": code}
	return kvstore.SaveJSON(ctx, s.KV, "mfa:"+string(player), challenge, time.Duration(pending.MaxAge)*time.Second) // EXPECT kvttl
}

// RedeemMagicLink exchanges an emailed sign-in link for a session.
func (s *Sessions) RedeemMagicLink(ctx context.Context, w http.ResponseWriter, token string) (SessionID, error) {
	key := "magic:" + token
	var link struct {
		Player PlayerID `json:"player"`
		Role   string   `json:"role"`
	}
	ok, err := kvstore.LoadJSON(ctx, s.KV, key, &link)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrNoSession
	}
	if err := s.KV.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return s.Login(ctx, w, link.Player, link.Role)
}

// Refresh rotates a refresh token: the old one is retired and a new one is
// issued together with a new session.
func (s *Sessions) Refresh(ctx context.Context, w http.ResponseWriter, old RefreshToken) (RefreshToken, error) {
	var owner Session
	ok, err := kvstore.LoadJSON(ctx, s.KV, old.String(), &owner)
	if err != nil || !ok {
		return "", cmpErr(err, ErrNoSession)
	}
	if err := s.KV.Delete(ctx, old.String()); err != nil { // EXPECT kvsession
		return "", err
	}
	next := RefreshToken(randomToken(32))
	if err := kvstore.SaveJSON(ctx, s.KV, next.String(), owner, 30*24*time.Hour); err != nil { // DEBATABLE kvsession
		return "", err
	}
	if _, err := s.Login(ctx, w, owner.Player, owner.Role); err != nil {
		return "", err
	}
	return next, nil
}

// PasswordChanged makes every token issued before now unusable.
func (s *Sessions) PasswordChanged(ctx context.Context, player PlayerID) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return rec{"revoked-before:" + string(player), []byte(stamp), 0}.write(ctx, s.KV) // EXPECT kvsession
}

// NoteFailedLogin remembers a failed password attempt from ip so the login
// form can ask for a captcha from any edge location.
func (s *Sessions) NoteFailedLogin(ctx context.Context, ip string) (int, error) {
	s.mu.Lock()
	if s.failures == nil {
		s.failures = map[string]int{}
	}
	s.failures[ip]++
	n := s.failures[ip]
	s.mu.Unlock()
	return n, rec{"login-attempts:" + ip, []byte(strconv.Itoa(n)), 900}.write(ctx, s.KV) // EXPECT kvcounter
}

func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
