// Package auth implements customer login: one-time codes by email, refresh
// tokens, and the customer profile created on first login.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvstore"
)

var (
	ErrCodeExpired = errors.New("auth: code expired or never issued")
	ErrCodeInvalid = errors.New("auth: code does not match")
	ErrLocked      = errors.New("auth: too many attempts")
)

// Mailer delivers codes.
type Mailer interface {
	SendOTP(ctx context.Context, email, code string) error
}

// OTPService issues and checks email login codes.
type OTPService struct {
	store  kvstore.Store
	cfg    config.Auth
	mail   Mailer
	pepper []byte
}

// NewOTPService wires the service.
func NewOTPService(store kvstore.Store, cfg config.Auth, mail Mailer, pepper []byte) *OTPService {
	return &OTPService{store: store, cfg: cfg, mail: mail, pepper: pepper}
}

func normalize(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func otpKey(email string) string      { return "otp:" + normalize(email) }
func attemptsKey(email string) string { return "otp_attempts:" + normalize(email) }

func (s *OTPService) digest(code string) []byte {
	m := hmac.New(sha256.New, s.pepper)
	m.Write([]byte(code))
	return []byte(hex.EncodeToString(m.Sum(nil)))
}

// Start emails a fresh six digit code.
func (s *OTPService) Start(ctx context.Context, email string) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if err := s.store.Put(ctx, otpKey(email), s.digest(code), kvstore.WithTTL(s.cfg.OTPTTL)); err != nil { // DEBATABLE kvsession
		return err
	}
	return s.mail.SendOTP(ctx, email, code)
}

func (s *OTPService) failures(ctx context.Context, email string) (int, error) {
	raw, err := s.store.Get(ctx, attemptsKey(email))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Verify checks code and consumes it on success.
func (s *OTPService) Verify(ctx context.Context, email, code string) error {
	n, err := s.failures(ctx, email)
	if err != nil {
		return err
	}
	if n >= s.cfg.OTPMaxTries {
		return ErrLocked
	}
	want, err := s.store.Get(ctx, otpKey(email))
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrCodeExpired
	} else if err != nil {
		return err
	}
	if !hmac.Equal(want, s.digest(code)) {
		if err := s.store.Put(ctx, attemptsKey(email), []byte(strconv.Itoa(n+1)), kvstore.WithTTL(15*time.Minute)); err != nil { // EXPECT kvcounter
			return err
		}
		return ErrCodeInvalid
	}
	return s.store.Delete(ctx, otpKey(email)) // EXPECT kvsession
}
