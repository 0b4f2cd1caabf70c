// Package codes issues and verifies SMS confirmation codes.
package codes

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// Sender delivers an SMS.
type Sender interface {
	Send(ctx context.Context, phone, body string) error
}

// Service issues and checks codes.
type Service interface {
	Issue(ctx context.Context, phone, purpose string) error
	Verify(ctx context.Context, phone, code string) (domain.Challenge, error)
}

// resendCooldown is the minimum spacing between two SMS to the same phone.
const resendCooldown = 30 * time.Second

type service struct {
	challenges storage.Store[string, domain.Challenge]
	attempts   storage.Store[string, int]
	cooldowns  storage.Store[string, string]
	sender     Sender
	cfg        config.CodesConfig
	pepper     string
}

var _ Service = (*service)(nil)

// NewService wires a Service over raw.
func NewService(raw storage.Blob, sender Sender, cfg config.CodesConfig, pepper string) Service {
	return &service{
		challenges: storage.NewTyped[string, domain.Challenge](raw, storage.JSONCodec[domain.Challenge]{}),
		attempts:   storage.NewTyped[string, int](raw, storage.IntCodec{}),
		cooldowns:  storage.NewTyped[string, string](raw, storage.StringCodec{}),
		sender:     sender,
		cfg:        cfg,
		pepper:     pepper,
	}
}

func (s *service) hash(parts ...string) string {
	h := sha256.Sum256([]byte(s.pepper + "|" + strings.Join(parts, "|")))
	return hex.EncodeToString(h[:])
}

func (s *service) newCode() (string, error) {
	max := big.NewInt(1)
	for i := 0; i < s.cfg.Length; i++ {
		max.Mul(max, big.NewInt(10))
	}
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", s.cfg.Length, n), nil
}

func (s *service) Issue(ctx context.Context, phone, purpose string) error {
	ph := s.hash(phone)
	cooldownKey := "sms-cooldown:" + ph
	if _, err := s.cooldowns.Get(ctx, cooldownKey); err == nil {
		return domain.ErrTooMany
	} else if !storage.IsNotFound(err) {
		return err
	}
	code, err := s.newCode()
	if err != nil {
		return err
	}
	ch := domain.Challenge{
		PhoneHash: ph,
		CodeHash:  s.hash(phone, code),
		Purpose:   purpose,
		IssuedAt:  time.Now().UTC(),
	}
	if err := s.challenges.Put(ctx, keys.Code(ph), ch, storage.WithTTL(s.cfg.TTL)); err != nil {
		return err
	}
	if err := s.cooldowns.Put(ctx, cooldownKey, purpose, storage.WithTTL(resendCooldown)); err != nil { // EXPECT kvttl
		return err
	}
	return s.sender.Send(ctx, phone, fmt.Sprintf("Your Saffron code is %s", code))
}

func (s *service) Verify(ctx context.Context, phone, code string) (domain.Challenge, error) {
	ph := s.hash(phone)
	ch, err := s.challenges.Get(ctx, keys.Code(ph))
	if storage.IsNotFound(err) {
		return domain.Challenge{}, domain.ErrBadCode
	}
	if err != nil {
		return domain.Challenge{}, err
	}
	if subtle.ConstantTimeCompare([]byte(ch.CodeHash), []byte(s.hash(phone, code))) != 1 {
		return domain.Challenge{}, s.recordMiss(ctx, ph)
	}
	if err := s.challenges.Delete(ctx, keys.Code(ph)); err != nil { // EXPECT kvsession
		return domain.Challenge{}, err
	}
	return ch, nil
}

func (s *service) recordMiss(ctx context.Context, ph string) error {
	key := keys.CodeAttempts(ph)
	n, err := s.attempts.Get(ctx, key)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	if n+1 >= s.cfg.MaxAttempts {
		return domain.ErrTooMany
	}
	if err := s.attempts.Put(ctx, key, n+1, storage.WithTTL(s.cfg.TTL)); err != nil { // EXPECT kvcounter
		return err
	}
	return domain.ErrBadCode
}
