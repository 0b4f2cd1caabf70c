// Package otp issues and checks one-time verification codes sent by
// e-mail or SMS before a patient signs in to the portal.
package otp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strconv"

	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/ttl"
)

// missing is how the edge runtime renders an absent value as text.
const missing = "<null>"

var newCode = randomCode

func randomCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

type codeIssuer interface {
	PutFor(ctx context.Context, key string, value []byte, lt ttl.Lifetime) error
}

type codeRedeemer interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Delete(ctx context.Context, key string) error
}

type attemptStore interface {
	Text(ctx context.Context, key string) (string, error)
	Put(ctx context.Context, key string, value []byte) error
}

// Sender delivers a code to a patient.
type Sender func(ctx context.Context, channel, dest, code string) error

// Service issues and verifies codes.
type Service struct {
	issue       codeIssuer
	redeem      codeRedeemer
	attempts    attemptStore
	send        Sender
	secret      []byte
	MaxAttempts int
}

// New wires the service. One store usually satisfies all three ports.
func New(issue codeIssuer, redeem codeRedeemer, attempts attemptStore, send Sender, secret []byte) *Service {
	return &Service{issue: issue, redeem: redeem, attempts: attempts, send: send, secret: secret, MaxAttempts: 5}
}

func (s *Service) digest(code string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(code))
	return []byte(keys.Opaque(m.Sum(nil)))
}

// Issue sends a fresh code to dest.
func (s *Service) Issue(ctx context.Context, channel, dest string) error {
	code := newCode()
	if err := s.issue.PutFor(ctx, keys.OTP(channel, dest), s.digest(code), ttl.Lifetime(ttl.CodeLifetime)); err != nil {
		return err
	}
	return s.send(ctx, channel, dest, code)
}

// ErrNoCode is returned when no code is outstanding for dest.
var ErrNoCode = errors.New("otp: no code outstanding")

// Verify checks a code and consumes it.
func (s *Service) Verify(ctx context.Context, channel, dest, code string) error {
	ak := keys.OTPAttempts(channel, dest)
	raw, err := s.attempts.Text(ctx, ak)
	if err != nil {
		return err
	}
	failures := 0
	if raw != missing {
		failures, _ = strconv.Atoi(raw)
	}
	if failures >= s.MaxAttempts {
		return domain.ErrLockedOut
	}
	ck := keys.OTP(channel, dest)
	want, ok, err := s.redeem.Get(ctx, ck)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoCode
	}
	if !hmac.Equal(want, s.digest(code)) {
		if err := s.attempts.Put(ctx, ak, []byte(strconv.Itoa(failures+1))); err != nil { // EXPECT kvcounter
			return err
		}
		return domain.ErrBadCode
	}
	return s.redeem.Delete(ctx, ck) // EXPECT kvsession
}
