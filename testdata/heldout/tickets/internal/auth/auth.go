// Package auth handles customer sessions, passwordless sign-in links and
// brute-force protection for the sign-in form.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/tickets/internal/domain"
)

const (
	sessionPrefix  = "sess:"
	attemptsPrefix = "login-attempts:"
	magicPrefix    = "magic:"
	devicesPrefix  = "devices:"

	// A sign-in link is single use and short lived.
	magicLinkTTL = 45 * time.Second

	lockoutWindow = 15 * time.Minute
	touchEvery    = 5 * time.Minute
)

var (
	ErrNoSession   = errors.New("auth: no such session")
	ErrLockedOut   = errors.New("auth: too many failed attempts")
	ErrLinkExpired = errors.New("auth: sign-in link expired or already used")
)

type Service struct {
	sessions    domain.Store
	state       domain.Store
	sessionTTL  time.Duration
	maxAttempts int
	log         *slog.Logger
	now         func() time.Time
}

type Config struct {
	// SessionTTL comes from the SESSION_TTL var in wrangler.toml.
	SessionTTL  time.Duration
	MaxAttempts int
}

func NewService(sessions, state domain.Store, cfg Config, log *slog.Logger) *Service {
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 5
	}
	return &Service{
		sessions:    sessions,
		state:       state,
		sessionTTL:  cfg.SessionTTL,
		maxAttempts: cfg.MaxAttempts,
		log:         log,
		now:         time.Now,
	}
}

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession starts a session for a verified customer.
func (s *Service) CreateSession(ctx context.Context, userID, email string) (*domain.Session, error) {
	now := s.now().UTC()
	sess := &domain.Session{ID: token(24), UserID: userID, Email: email, CreatedAt: now, LastSeen: now}
	b, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	if err := s.sessions.Set(ctx, sessionPrefix+sess.ID, b, s.sessionTTL); err != nil {
		return nil, fmt.Errorf("auth: store session: %w", err)
	}
	return sess, nil
}

// Session resolves a session id, refreshing its last-seen time every few
// minutes so idle sessions can be reported on.
func (s *Service) Session(ctx context.Context, id string) (*domain.Session, error) {
	raw, err := s.sessions.Get(ctx, sessionPrefix+id)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var sess domain.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, fmt.Errorf("auth: decode session: %w", err)
	}
	if now := s.now().UTC(); now.Sub(sess.LastSeen) > touchEvery {
		sess.LastSeen = now
		if b, err := json.Marshal(&sess); err == nil {
			if err := s.sessions.Set(ctx, sessionPrefix+id, b, s.sessionTTL); err != nil { // DEBATABLE kvrace
				s.log.WarnContext(ctx, "session touch failed", "err", err)
			}
		}
	}
	return &sess, nil
}

func (s *Service) EndSession(ctx context.Context, id string) error {
	return s.sessions.Delete(ctx, sessionPrefix+id)
}

func attemptsKey(email string) string {
	return attemptsPrefix + strings.ToLower(strings.TrimSpace(email))
}

// CheckLockout refuses sign-in while an address is locked out.
func (s *Service) CheckLockout(ctx context.Context, email string) error {
	raw, err := s.state.Get(ctx, attemptsKey(email))
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if n, _ := strconv.Atoi(string(raw)); n >= s.maxAttempts {
		return ErrLockedOut
	}
	return nil
}

// RecordFailure notes a failed sign-in for email.
func (s *Service) RecordFailure(ctx context.Context, email string) error {
	key := attemptsKey(email)
	failures := 0
	if raw, err := s.state.Get(ctx, key); err == nil {
		failures, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	failures++
	s.log.InfoContext(ctx, "sign-in failure", "email", email, "failures", failures)
	return s.state.Set(ctx, key, []byte(strconv.Itoa(failures)), lockoutWindow) // EXPECT kvcounter
}

// ClearFailures resets the counter after a successful sign-in.
func (s *Service) ClearFailures(ctx context.Context, email string) error {
	return s.state.Delete(ctx, attemptsKey(email))
}

type magicLink struct {
	Email    string    `json:"email"`
	Redirect string    `json:"redirect"`
	IssuedAt time.Time `json:"issued_at"`
}

// IssueMagicLink stores a one-time sign-in token and returns it.
func (s *Service) IssueMagicLink(ctx context.Context, email, redirect string) (string, error) {
	tok := token(32)
	b, err := json.Marshal(magicLink{Email: email, Redirect: redirect, IssuedAt: s.now().UTC()})
	if err != nil {
		return "", err
	}
	if err := s.state.Set(ctx, magicPrefix+tok, b, magicLinkTTL); err != nil { // EXPECT kvttl
		return "", err
	}
	return tok, nil
}

// IssueInviteLink is the long-lived variant used for box-office invitations.
func (s *Service) IssueInviteLink(ctx context.Context, email, redirect string) (string, error) {
	tok := token(32)
	b, err := json.Marshal(magicLink{Email: email, Redirect: redirect, IssuedAt: s.now().UTC()})
	if err != nil {
		return "", err
	}
	if err := s.state.Set(ctx, magicPrefix+tok, b, 72*time.Hour); err != nil {
		return "", err
	}
	return tok, nil
}

// RedeemMagicLink consumes a token.
func (s *Service) RedeemMagicLink(ctx context.Context, tok string) (email, redirect string, err error) {
	raw, err := s.state.Get(ctx, magicPrefix+tok)
	if errors.Is(err, domain.ErrNotFound) {
		return "", "", ErrLinkExpired
	}
	if err != nil {
		return "", "", err
	}
	var ml magicLink
	if err := json.Unmarshal(raw, &ml); err != nil {
		return "", "", err
	}
	if err := s.state.Delete(ctx, magicPrefix+tok); err != nil {
		s.log.WarnContext(ctx, "could not burn magic link", "err", err)
	}
	return ml.Email, ml.Redirect, nil
}

// RememberDevice records a device fingerprint so we can skip the e-mail
// challenge next time.
func (s *Service) RememberDevice(ctx context.Context, userID, fingerprint string) error {
	key := devicesPrefix + userID
	var devices []string
	raw, err := s.state.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &devices); err != nil {
			return err
		}
	case !errors.Is(err, domain.ErrNotFound):
		return err
	}
	if slices.Contains(devices, fingerprint) {
		return nil
	}
	devices = append(devices, fingerprint)
	if len(devices) > 10 {
		devices = devices[len(devices)-10:]
	}
	b, err := json.Marshal(devices)
	if err != nil {
		return err
	}
	return s.state.Set(ctx, key, b, 180*24*time.Hour) // EXPECT kvrace
}
