// Package player manages player profiles, handles and login sessions.
package player

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/kvstore"
	"github.com/hoatzin-games/hoatzin/internal/matchstate"
)

// ErrUnauthorized is returned for unknown or expired credentials.
var ErrUnauthorized = errors.New("player: unauthorized")

// ErrHandleTaken is returned when a handle is already reserved.
var ErrHandleTaken = errors.New("player: handle taken")

const (
	maxLoginAttempts = 5
	otpLifetime      = 45 * time.Second
	magicLinkTTL     = 15 * time.Minute
	revocationTTL    = 48 * time.Hour
)

// Session is the record stored under keys.Session.
type Session struct {
	Token     string    `json:"token"`
	PlayerID  string    `json:"playerId"`
	Role      string    `json:"role"`
	IssuedAt  time.Time `json:"issuedAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	LastSeen  time.Time `json:"lastSeen"`
}

// Service is the player service.
type Service struct {
	KV     *kvstore.Namespace
	Policy kvstore.Policy
	Node   *matchstate.Node
	Verify func(ctx context.Context, name, password string) (playerID string, err error)
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login checks the credentials and creates a fresh session.
func (s *Service) Login(ctx context.Context, name, password string) (Session, error) {
	if err := s.checkAttempts(ctx, name); err != nil {
		return Session{}, err
	}
	pid, err := s.Verify(ctx, name, password)
	if err != nil {
		return Session{}, s.recordFailure(ctx, name, err)
	}
	now := time.Now().UTC()
	sess := Session{
		Token:     newToken(),
		PlayerID:  pid,
		Role:      "PLAYER",
		IssuedAt:  now,
		ExpiresAt: now.Add(s.Policy.Session),
		LastSeen:  now,
	}
	if err := s.KV.PutJSON(ctx, keys.Session{Token: sess.Token}, sess, s.Policy.Session); err != nil {
		return Session{}, err
	}
	idx := keys.PlayerSession{PlayerID: pid, Token: sess.Token}
	if err := s.KV.Put(ctx, idx, []byte(sess.ExpiresAt.Format(time.RFC3339)), s.Policy.Session); err != nil {
		return Session{}, err
	}
	return sess, nil
}

type attemptsKey string

func (k attemptsKey) MarshalText() ([]byte, error) { return []byte("auth:attempts:" + string(k)), nil }

func (s *Service) checkAttempts(ctx context.Context, name string) error {
	raw, err := s.KV.Get(ctx, attemptsKey(name))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if n, _ := strconv.Atoi(string(raw)); n >= maxLoginAttempts {
		return fmt.Errorf("player: too many attempts for %q", name)
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, name string, cause error) error {
	n := 0
	if raw, err := s.KV.Get(ctx, attemptsKey(name)); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	if err := s.KV.Put(ctx, attemptsKey(name), []byte(strconv.Itoa(n)), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return errors.Join(cause, err)
	}
	return errors.Join(ErrUnauthorized, cause)
}

// Authenticate resolves a bearer token to its session.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, error) {
	var sess Session
	if err := s.KV.GetJSON(ctx, keys.Session{Token: token}, &sess); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return Session{}, ErrUnauthorized
		}
		return Session{}, err
	}
	if time.Now().After(sess.ExpiresAt) {
		return Session{}, ErrUnauthorized
	}
	return sess, nil
}

// Touch extends the session by the full lifetime on use.
func (s *Service) Touch(ctx context.Context, token string) error {
	var sess Session
	if err := s.KV.GetJSON(ctx, keys.Session{Token: token}, &sess); err != nil {
		return err
	}
	now := time.Now().UTC()
	if now.Sub(sess.LastSeen) < time.Minute {
		return nil
	}
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.Policy.Session)
	return s.KV.PutJSON(ctx, keys.Session{Token: token}, sess, s.Policy.Session) // EXPECT kvsession|kvrace
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, sess Session) error {
	if err := s.KV.Delete(ctx, keys.Session{Token: sess.Token}); err != nil { // EXPECT kvsession
		return err
	}
	return s.KV.Delete(ctx, keys.PlayerSession{PlayerID: sess.PlayerID, Token: sess.Token})
}

// RevokeAll ends every session of a player, e.g. after a password change.
func (s *Service) RevokeAll(ctx context.Context, playerID string) error {
	prefix := keys.PlayerSessionPrefix(playerID)
	cursor := ""
	for range 20 {
		page, next, err := s.KV.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page {
			token := k.Name[len(prefix):]
			if err := s.KV.Delete(ctx, keys.Session{Token: token}); err != nil { // EXPECT kvsession
				return err
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	mark := keys.Static("revoked:" + playerID)
	return s.KV.Put(ctx, mark, []byte(time.Now().UTC().Format(time.RFC3339)), revocationTTL) // EXPECT kvsession
}

// SendOTP stores a one-time code for a second factor.
func (s *Service) SendOTP(ctx context.Context, playerID string, deliver func(code string) error) error {
	code := fmt.Sprintf("%06d", int(newToken()[0])*7919%1_000_000)
	if err := s.KV.Put(ctx, keys.Static("otp:"+playerID), []byte(code), otpLifetime); err != nil { // EXPECT kvttl
		return err
	}
	return deliver(code)
}

// MagicLink is the record behind an emailed sign-in link.
type MagicLink struct {
	PlayerID string    `json:"playerId"`
	Created  time.Time `json:"created"`
}

// CreateMagicLink stores a fresh sign-in link code.
func (s *Service) CreateMagicLink(ctx context.Context, playerID string) (string, error) {
	code := newToken()
	err := s.KV.PutJSON(ctx, keys.Static("magic:"+code), MagicLink{PlayerID: playerID, Created: time.Now()}, magicLinkTTL)
	return code, err
}

// RedeemMagicLink exchanges a link code for a session.
func (s *Service) RedeemMagicLink(ctx context.Context, code string) (Session, error) {
	var ml MagicLink
	if err := s.KV.GetJSON(ctx, keys.Static("magic:"+code), &ml); err != nil {
		return Session{}, ErrUnauthorized
	}
	if err := s.KV.Delete(ctx, keys.Static("magic:"+code)); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	now := time.Now().UTC()
	sess := Session{Token: newToken(), PlayerID: ml.PlayerID, Role: "PLAYER", IssuedAt: now, ExpiresAt: now.Add(s.Policy.Session), LastSeen: now}
	return sess, s.KV.PutJSON(ctx, keys.Session{Token: sess.Token}, sess, s.Policy.Session)
}

// Encode renders a session for logs without the token.
func (sess Session) Encode() string {
	b, _ := json.Marshal(struct {
		PlayerID string    `json:"playerId"`
		Expires  time.Time `json:"expires"`
	}{sess.PlayerID, sess.ExpiresAt})
	return string(b)
}
