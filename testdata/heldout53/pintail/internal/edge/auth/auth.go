//go:build js && wasm

// Package auth signs couriers in at the edge with a one-time code sent by
// SMS, and keeps their app sessions in KV.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pintail-eats/pintail/internal/edge/kvx"
	"github.com/syumai/workers/cloudflare/kv"
)

var (
	ErrNoSession = errors.New("auth: no session")
	ErrBadCode   = errors.New("auth: code does not match")
	ErrRevoked   = errors.New("auth: token revoked")
)

// Flags choose how a session behaves on each request.
type Flags uint8

const (
	// Sliding extends the session on every authenticated request.
	Sliding Flags = 1 << iota
	// Remember keeps the session for a month instead of a shift.
	Remember
	// Dispatcher marks sessions of dispatch staff.
	Dispatcher
)

const (
	shiftLifetime    = 12 * time.Hour
	rememberLifetime = 30 * 24 * time.Hour
	codeLifetime     = 5 * time.Minute
)

// Session is a courier's signed-in app.
type Session struct {
	ID        string    `json:"id"`
	CourierID string    `json:"courier_id"`
	Flags     Flags     `json:"flags"`
	IssuedAt  time.Time `json:"issued_at"`
	SeenAt    time.Time `json:"seen_at"`
	TokenID   string    `json:"jti"`
}

// Lifetime is how long the session lives without activity.
func (s Session) Lifetime() time.Duration {
	if s.Flags&Remember != 0 {
		return rememberLifetime
	}
	return shiftLifetime
}

// SessionKey is the typed handle for one session.
func SessionKey(ns *kvx.Namespace, id string) kvx.Key[Session] {
	return kvx.NewKey[Session](ns, "courier-sess:"+id)
}

// Service issues and checks courier sessions.
type Service struct {
	sessions *kvx.Namespace
	codes    *kvx.Namespace
	send     func(ctx context.Context, phone, code string) error
}

// New returns a Service. send delivers the one-time code.
func New(sessions, codes *kvx.Namespace, send func(ctx context.Context, phone, code string) error) *Service {
	return &Service{sessions: sessions, codes: codes, send: send}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// StartLogin sends a six-digit code to the courier's phone.
func (s *Service) StartLogin(ctx context.Context, phone string) error {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	code := fmt.Sprintf("%06d", binary.BigEndian.Uint32(b)%1_000_000)
	err := s.codes.Raw().PutString("otp:"+phone, digest(code), &kv.PutOptions{ // DEBATABLE kvsession
		ExpirationTTL: int(codeLifetime.Seconds()),
	})
	if err != nil {
		return err
	}
	return s.send(ctx, phone, code)
}

// FinishLogin checks the code and opens a session.
func (s *Service) FinishLogin(ctx context.Context, phone, courierID, code string, f Flags) (Session, error) {
	want, ok, err := s.codes.Lookup("otp:" + phone)
	if err != nil {
		return Session{}, err
	}
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(digest(code))) != 1 {
		return Session{}, ErrBadCode
	}
	if err := s.codes.Delete("otp:" + phone); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	now := time.Now().UTC()
	sess := Session{
		ID:        randomHex(24),
		CourierID: courierID,
		Flags:     f,
		IssuedAt:  now,
		SeenAt:    now,
		TokenID:   randomHex(12),
	}
	if err := SessionKey(s.sessions, sess.ID).Store(ctx, sess, sess.Lifetime()); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Authenticate loads the session named by the request's bearer token.
func (s *Service) Authenticate(r *http.Request) (Session, error) {
	id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || id == "" {
		return Session{}, ErrNoSession
	}
	ctx := r.Context()
	k := SessionKey(s.sessions, id)
	sess, err := k.Load(ctx)
	if errors.Is(err, kvx.ErrMiss) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if revoked, _, err := s.sessions.Lookup("revoked:" + sess.TokenID); err != nil {
		return Session{}, err
	} else if revoked != "" {
		return Session{}, ErrRevoked
	}
	if sess.Flags&Sliding != 0 {
		sess.SeenAt = time.Now().UTC()
		if err := k.Store(ctx, sess, sess.Lifetime()); err != nil { // EXPECT kvsession|kvrace
			return Session{}, err
		}
	}
	return sess, nil
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	return SessionKey(s.sessions, sessionID).Clear(ctx) // EXPECT kvsession
}

// RevokeToken blocks a session token everywhere until it would have expired.
func (s *Service) RevokeToken(tokenID string, remaining time.Duration) error {
	ttl := max(int(remaining.Seconds()), 60)
	return s.sessions.Raw().PutString("revoked:"+tokenID, "1", &kv.PutOptions{ExpirationTTL: ttl}) // EXPECT kvsession
}

// Whoami returns the session without touching it.
func (s *Service) Whoami(ctx context.Context, id string) (Session, error) {
	sess, err := SessionKey(s.sessions, id).Load(ctx)
	if errors.Is(err, kvx.ErrMiss) {
		return Session{}, ErrNoSession
	}
	return sess, err
}
