//go:build js && wasm

package members

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"catbird/internal/edgekv"
)

var (
	ErrCodeMismatch    = errors.New("members: verification code does not match")
	ErrTooManyAttempts = errors.New("members: too many attempts")
	ErrNoPendingCode   = errors.New("members: no pending verification")
	ErrResendTooSoon   = errors.New("members: a code was sent recently")
)

// Verifier issues and redeems six-digit e-mail verification codes.
type Verifier struct {
	B           edgekv.Bucket
	CodeTTL     time.Duration
	ResendAfter time.Duration
	MaxAttempts int
}

type pendingCode struct {
	Code   string    `json:"code"`
	Email  string    `json:"email"`
	SentAt time.Time `json:"sent_at"`
}

func codeKey(memberID string) string     { return fmt.Sprintf("verify:code:%s", memberID) }
func attemptsKey(memberID string) string { return fmt.Sprintf("verify:attempts:%s", memberID) }

func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Issue creates a code for memberID. The caller mails it.
func (v Verifier) Issue(memberID, email string) (string, error) {
	var prev pendingCode
	found, err := v.B.GetJSON(codeKey(memberID), &prev)
	if err != nil {
		return "", err
	}
	if found && time.Since(prev.SentAt) < v.ResendAfter {
		return "", ErrResendTooSoon
	}
	code, err := newCode()
	if err != nil {
		return "", err
	}
	p := pendingCode{Code: code, Email: email, SentAt: time.Now().UTC()}
	if err := v.B.PutJSON(codeKey(memberID), p, v.CodeTTL); err != nil { // DEBATABLE kvsession|kvrace
		return "", err
	}
	return code, nil
}

// Redeem checks code against the pending one and consumes it on success.
func (v Verifier) Redeem(memberID, code string) (email string, err error) {
	attempts := 0
	raw, found, err := v.B.Get(attemptsKey(memberID))
	if err != nil {
		return "", err
	}
	if found {
		if attempts, err = strconv.Atoi(raw); err != nil {
			attempts = 0
		}
	}
	if attempts >= v.MaxAttempts {
		return "", ErrTooManyAttempts
	}

	var p pendingCode
	found, err = v.B.GetJSON(codeKey(memberID), &p)
	if err != nil {
		return "", err
	}
	if !found {
		return "", ErrNoPendingCode
	}
	if p.Code != code {
		if err := v.B.Put(attemptsKey(memberID), strconv.Itoa(attempts+1), v.CodeTTL); err != nil { // EXPECT kvcounter|kvrace
			return "", err
		}
		return "", ErrCodeMismatch
	}
	if err := v.B.Delete(codeKey(memberID)); err != nil { // EXPECT kvsession
		return "", err
	}
	return p.Email, nil
}
