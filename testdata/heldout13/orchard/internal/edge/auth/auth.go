//go:build js && wasm

// Package auth handles farmer sign-in: magic links mailed to the farm's
// address, the login throttle, and revoking every session on a password
// change.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/orchard/internal/codec"
	"example.com/orchard/internal/sessions"
)

// ErrLinkInvalid covers unknown, expired and already-used links.
var ErrLinkInvalid = errors.New("auth: link invalid or expired")

// ErrThrottled is returned after too many link requests for one address.
var ErrThrottled = errors.New("auth: too many attempts")

const (
	linkTTL     = 15 * time.Minute
	maxAttempts = 5
	attemptsTTL = 15 * 60
)

// MagicLink is the record behind a mailed sign-in link.
type MagicLink struct {
	Email   string    `json:"email"`
	FarmID  string    `json:"farm_id"`
	Created time.Time `json:"created"`
}

// Mailer sends the link e-mail.
type Mailer func(ctx context.Context, to, link string) error

// Service signs farmers in.
type Service struct {
	ns       *kv.Namespace
	sessions *sessions.Manager
	mail     Mailer
	baseURL  string
	log      *slog.Logger
}

// New wires a Service over the sessions namespace.
func New(ns *kv.Namespace, sm *sessions.Manager, mail Mailer, baseURL string, log *slog.Logger) *Service {
	return &Service{ns: ns, sessions: sm, mail: mail, baseURL: baseURL, log: log}
}

// SendLink mails a sign-in link, at most maxAttempts times per quarter hour.
func (s *Service) SendLink(ctx context.Context, email, farmID string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.throttle(email); err != nil {
		return err
	}
	token := codec.Token(32)
	b, _ := json.Marshal(MagicLink{Email: email, FarmID: farmID, Created: time.Now().UTC()})
	if err := s.ns.PutString("magic:"+token, string(b), &kv.PutOptions{
		ExpirationTTL: int(linkTTL.Seconds()),
	}); err != nil {
		return err
	}
	return s.mail(ctx, email, s.baseURL+"/auth/magic?t="+token)
}

func (s *Service) throttle(email string) error {
	key := "attempts:" + email
	n := 0
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	if n >= maxAttempts {
		return ErrThrottled
	}
	return s.ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: attemptsTTL}) // EXPECT kvcounter
}

// Redeem turns a link into a session.
func (s *Service) Redeem(ctx context.Context, token string) (sessions.Session, error) {
	v, err := s.ns.GetString("magic:"+token, nil) // EXPECT kvnull
	if err != nil {
		return sessions.Session{}, err
	}
	var link MagicLink
	if err := json.Unmarshal([]byte(v), &link); err != nil {
		return sessions.Session{}, err
	}
	if time.Since(link.Created) > linkTTL {
		return sessions.Session{}, ErrLinkInvalid
	}
	if err := s.ns.Delete("magic:" + token); err != nil { // EXPECT kvsession
		return sessions.Session{}, err
	}
	if s.revokedSince(link.FarmID, link.Created) {
		return sessions.Session{}, ErrLinkInvalid
	}
	return s.sessions.Create(ctx, "farm:"+link.FarmID)
}

// RevokeAll invalidates every session and link issued to the farm before
// now; called after a password or e-mail change.
func (s *Service) RevokeAll(farmID string) error {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	return s.ns.PutString("revoked:farm:"+farmID, now, &kv.PutOptions{ // EXPECT kvsession
		ExpirationTTL: int((30 * 24 * time.Hour).Seconds()),
	})
}

func (s *Service) revokedSince(farmID string, issued time.Time) bool {
	v, err := s.ns.GetString("revoked:farm:"+farmID, nil)
	if err != nil || v == "<null>" {
		return false
	}
	at, err := strconv.ParseInt(v, 10, 64)
	return err == nil && issued.Unix() <= at
}
