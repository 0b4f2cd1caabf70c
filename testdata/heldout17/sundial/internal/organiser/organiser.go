// Package organiser handles organiser accounts: email verification, sessions,
// TOTP second factor and recovery codes, and tenant offboarding.
package organiser

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/storage"
)

// Organiser is the D1 row of an organiser account.
type Organiser struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	Email      string    `json:"email"`
	Verified   bool      `json:"verified"`
	TOTPSecret []byte    `json:"totp_secret,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

var (
	// ErrCodeExpired is returned when no pending code exists.
	ErrCodeExpired = errors.New("organiser: code expired or never issued")
	// ErrWrongCode is returned for a code that does not match.
	ErrWrongCode = errors.New("organiser: wrong code")
	// ErrCodeReused is returned for a TOTP code that was already used.
	ErrCodeReused = errors.New("organiser: code already used")
	// ErrLocked is returned after too many failed attempts.
	ErrLocked = errors.New("organiser: too many attempts, try again later")
	// ErrNoSession is returned for an unknown or expired session.
	ErrNoSession = errors.New("organiser: no such session")
)

// Options configures the Service.
type Options struct {
	SessionTTL     time.Duration
	VerifyTTL      time.Duration
	RecoveryWindow time.Duration
	MaxAttempts    int
}

// Service implements the organiser use cases.
type Service struct {
	st         storage.Store
	organisers d1.Table[Organiser]
	clock      clock.Clock
	opts       Options
	log        *slog.Logger
	mail       Mailer
}

// Mailer sends transactional email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// NewService returns a Service.
func NewService(st storage.Store, organisers d1.Table[Organiser], c clock.Clock, opts Options, m Mailer, log *slog.Logger) *Service {
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 5
	}
	return &Service{st: st, organisers: organisers, clock: c, opts: opts, mail: m, log: log}
}

// remember writes a short-lived hint. Hints live for at least a minute.
func (s *Service) remember(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.st.Put(ctx, key, value, storage.PutOptions{TTL: ttl})
}

// ByEmail finds an organiser by email address.
func (s *Service) ByEmail(ctx context.Context, email string) (Organiser, error) {
	rows, err := s.organisers.Select(ctx, func(o Organiser) bool { return o.Email == email }, 1)
	if err != nil {
		return Organiser{}, err
	}
	if len(rows) == 0 {
		return Organiser{}, d1.ErrNoRows
	}
	return rows[0], nil
}
