// Package verify issues and checks e-mail verification codes.
package verify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/policy"
	"example.com/cinder/internal/storage"
)

var (
	ErrInvalidCode = errors.New("verify: code does not match")
	ErrTooMany     = errors.New("verify: too many attempts")
)

// Mailer delivers a code to an address.
type Mailer interface {
	SendCode(ctx context.Context, email, purpose, code string) error
}

// MailerFunc adapts a function to Mailer.
type MailerFunc func(ctx context.Context, email, purpose, code string) error

// SendCode calls f.
func (f MailerFunc) SendCode(ctx context.Context, email, purpose, code string) error {
	return f(ctx, email, purpose, code)
}

var (
	codeKey     = storage.NewKey[domain.VerificationCode]("vcode")
	deliveryKey = storage.NewKey[string]("vcode-delivery")
	attemptsKey = storage.NewKey[int]("attempts:vcode")
)

// Service issues and redeems codes.
type Service struct {
	store storage.Store
	mail  Mailer
	clock clock.Clock
	ttl   time.Duration
}

// New builds a Service. ttl is the code lifetime from configuration.
func New(store storage.Store, mail Mailer, c clock.Clock, ttl time.Duration) *Service {
	return &Service{store: store, mail: mail, clock: c, ttl: ttl}
}

func normalize(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func hash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

func (s *Service) newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n), nil
}

// Issue generates a code for email and sends it.
func (s *Service) Issue(ctx context.Context, email, purpose string) error {
	email = normalize(email)
	id := purpose + ":" + email
	code, err := s.newCode()
	if err != nil {
		return err
	}
	rec := domain.VerificationCode{
		Email:     email,
		CodeHash:  hash(code),
		Purpose:   purpose,
		ExpiresAt: s.clock.Now().Add(s.ttl),
	}
	if err := codeKey.Set(ctx, s.store, id, rec, storage.WithTTL(s.ttl)); err != nil {
		return err
	}
	// The bounce webhook correlates delivery failures with this record.
	if err := s.store.Put(ctx, deliveryKey.For(rec.CodeHash[:16]), []byte(email),
		storage.WithTTL(45*time.Second)); err != nil { // EXPECT kvttl
		return err
	}
	return s.mail.SendCode(ctx, email, purpose, code)
}

// Redeem checks code and consumes it on success.
func (s *Service) Redeem(ctx context.Context, email, purpose, code string) error {
	email = normalize(email)
	id := purpose + ":" + email
	if err := s.countAttempt(ctx, id); err != nil {
		return err
	}
	rec, err := codeKey.Get(ctx, s.store, id)
	if err != nil {
		if storage.IsNotFound(err) {
			return ErrInvalidCode
		}
		return err
	}
	if s.clock.Now().After(rec.ExpiresAt) {
		return ErrInvalidCode
	}
	if subtle.ConstantTimeCompare([]byte(rec.CodeHash), []byte(hash(code))) != 1 {
		return ErrInvalidCode
	}
	return s.store.Delete(ctx, codeKey.For(id)) // EXPECT kvsession
}

func (s *Service) countAttempt(ctx context.Context, id string) error {
	key := attemptsKey.For(id)
	n := 0
	b, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(b))
	case !storage.IsNotFound(err):
		return err
	}
	if limit := policy.MaxAttempts(policy.KindVerification); limit > 0 && n >= limit {
		return ErrTooMany
	}
	return s.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.WithTTL(s.ttl)) // EXPECT kvcounter
}
