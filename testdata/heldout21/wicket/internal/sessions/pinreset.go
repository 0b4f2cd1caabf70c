package sessions

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/kvport"
)

func resetKey(c patron.CardNumber, code string) string { return "pinreset:" + string(c) + ":" + code }
func attemptsKey(c patron.CardNumber) string           { return "pinreset-attempts:" + string(c) }

// ResetCode is a six-digit PIN-reset code.
type ResetCode string

// NewResetCode validates the shape of a typed code.
func NewResetCode(s string) (ResetCode, error) {
	if len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		return "", ErrBadCode
	}
	return ResetCode(s), nil
}

// IssueResetCode mints a six-digit code that is emailed to the patron.
func (m *Manager) IssueResetCode(ctx context.Context, card patron.CardNumber) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if err := m.kv.Put(ctx, resetKey(card, code), code, kvport.TTL(m.set.resetCodeTTL)); err != nil {
		return "", err
	}
	return code, nil
}

// RedeemResetCode checks a code typed at the kiosk. On success the code is
// used up and the caller may set a new PIN.
func (m *Manager) RedeemResetCode(ctx context.Context, card patron.CardNumber, typed string) error {
	if err := m.countAttempt(ctx, card); err != nil {
		return err
	}
	if _, err := NewResetCode(typed); err != nil {
		return ErrBadCode
	}
	want, err := m.kv.Get(ctx, resetKey(card, typed))
	if errors.Is(err, kvport.ErrNotFound) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(typed)) != 1 {
		return ErrBadCode
	}
	return m.kv.Delete(ctx, resetKey(card, typed)) // EXPECT kvsession
}

// countAttempt limits guesses against one card's reset code.
func (m *Manager) countAttempt(ctx context.Context, card patron.CardNumber) error {
	raw, err := m.kv.Get(ctx, attemptsKey(card))
	attempts := 0
	if err == nil {
		attempts, _ = strconv.Atoi(raw)
	} else if !errors.Is(err, kvport.ErrNotFound) {
		return err
	}
	if attempts >= m.set.maxAttempts {
		return ErrTooMany
	}
	backoff := time.Duration(attempts) * 5 * time.Second
	return m.kv.Put(ctx, attemptsKey(card), strconv.Itoa(attempts+1), // EXPECT kvcounter
		kvport.TTL(max(backoff, 20*time.Second))) // EXPECT kvttl
}
