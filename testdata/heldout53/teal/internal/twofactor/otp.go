// Package twofactor issues and checks the one-time codes that publishers
// confirm before a publish or an ownership change, and their recovery codes.
package twofactor

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"time"

	"github.com/tealpkg/teal/internal/kvstore"
)

// codeTTL is how long an e-mailed confirmation code is accepted.
const codeTTL = 30 * time.Second

const maxAttempts = 5

var (
	ErrNoCode   = errors.New("twofactor: no pending code")
	ErrMismatch = errors.New("twofactor: code does not match")
	ErrLocked   = errors.New("twofactor: too many attempts")
)

// Code is a pending one-time code. Only a digest is stored.
type Code struct {
	User    string    `json:"user"`
	Purpose string    `json:"purpose"`
	Digest  string    `json:"digest"`
	Issued  time.Time `json:"issued"`

	key kvstore.Key[Code]
	svc *Service
}

// Enrollment is a publisher's 2FA enrolment with unused recovery codes.
type Enrollment struct {
	User     string    `json:"user"`
	Since    time.Time `json:"since"`
	Recovery []string  `json:"recovery"` // digests
}

// Service issues and verifies codes.
type Service struct {
	kv *kvstore.Client
	ns kvstore.Namespace
}

// New returns a 2FA service over the auth namespace.
func New(kv *kvstore.Client, ns kvstore.Namespace) *Service { return &Service{kv: kv, ns: ns} }

// CodeKey is the typed key of the pending code for user and purpose.
func (s *Service) CodeKey(user, purpose string) kvstore.Key[Code] {
	return kvstore.NewKey[Code](s.kv, s.ns, "otp:"+purpose+":"+user)
}

// EnrollmentKey is the typed key of user's enrolment.
func (s *Service) EnrollmentKey(user string) kvstore.Key[Enrollment] {
	return kvstore.NewKey[Enrollment](s.kv, s.ns, "2fa:"+user)
}

func hash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// Issue creates a code for user and purpose and returns it for delivery.
func (s *Service) Issue(ctx context.Context, user, purpose string) (string, error) {
	code := sixDigits()
	rec := Code{User: user, Purpose: purpose, Digest: hash(code), Issued: time.Now().UTC()}
	if err := s.CodeKey(user, purpose).Store(ctx, rec, codeTTL); err != nil { // EXPECT kvttl
		return "", err
	}
	return code, nil
}

// Pending loads the pending code for user and purpose.
func (s *Service) Pending(ctx context.Context, user, purpose string) (*Code, error) {
	k := s.CodeKey(user, purpose)
	c, err := k.Load(ctx)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoCode
	}
	if err != nil {
		return nil, err
	}
	c.key, c.svc = k, s
	return &c, nil
}

// Redeem checks attempt against the code and consumes it on success.
func (c *Code) Redeem(ctx context.Context, attempt string) error {
	if subtle.ConstantTimeCompare([]byte(c.Digest), []byte(hash(attempt))) != 1 {
		if err := c.svc.recordFailure(ctx, c.User); err != nil {
			return err
		}
		return ErrMismatch
	}
	return c.key.Delete(ctx) // EXPECT kvsession
}

func (s *Service) recordFailure(ctx context.Context, user string) error {
	load, save := s.kv.Slot(ctx, s.ns, "otp-attempts:"+user)
	raw, found, err := load()
	if err != nil {
		return err
	}
	n := 0
	if found {
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("attempts for %s: %w", user, err)
		}
	}
	n++
	if err := save([]byte(strconv.Itoa(n)), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n >= maxAttempts {
		return ErrLocked
	}
	return nil
}

// Enroll stores a new enrolment with fresh recovery codes and returns the
// plaintext codes.
func (s *Service) Enroll(ctx context.Context, user string) ([]string, error) {
	plain := make([]string, 8)
	e := Enrollment{User: user, Since: time.Now().UTC()}
	for i := range plain {
		plain[i] = sixDigits() + sixDigits()
		e.Recovery = append(e.Recovery, hash(plain[i]))
	}
	if err := s.EnrollmentKey(user).Store(ctx, e, 0); err != nil { // DEBATABLE kvsession
		return nil, err
	}
	return plain, nil
}

// UseRecoveryCode consumes one recovery code.
func (s *Service) UseRecoveryCode(ctx context.Context, user, code string) error {
	k := s.EnrollmentKey(user)
	e, err := k.Load(ctx)
	if err != nil {
		return err
	}
	i := slices.Index(e.Recovery, hash(code))
	if i < 0 {
		return ErrMismatch
	}
	e.Recovery = slices.Delete(e.Recovery, i, i+1)
	return k.Store(ctx, e, 0) // EXPECT kvsession|kvrace
}
