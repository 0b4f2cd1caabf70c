// Package pins issues the one-time registration PINs that advisors release to
// students before their registration window opens.
package pins

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
	"time"

	"github.com/samber/do"

	"github.com/kokako-uni/kokako/internal/kvstore"
)

// ErrBadPIN is returned for a wrong, used or expired PIN.
var ErrBadPIN = errors.New("pins: invalid PIN")

// ErrLocked is returned after too many wrong attempts.
var ErrLocked = errors.New("pins: too many attempts")

// Store is provided by the samber/do injector.
type Store struct {
	kv          *kvstore.Namespace
	ttl         time.Duration
	maxAttempts int
}

// NewStore resolves its namespace and lifetimes from the injector.
func NewStore(i *do.Injector) (*Store, error) {
	return &Store{
		kv:          do.MustInvokeNamed[*kvstore.Namespace](i, "pins"),
		ttl:         do.MustInvokeNamed[time.Duration](i, "pin-ttl"),
		maxAttempts: do.MustInvokeNamed[int](i, "pin-max-attempts"),
	}, nil
}

func pinKey(student, term string) string      { return "pin:" + term + ":" + student }
func attemptsKey(student, term string) string { return "pin-attempts:" + term + ":" + student }

func digest(pin string) string {
	sum := sha256.Sum256([]byte(pin))
	return hex.EncodeToString(sum[:])
}

// Issue creates a fresh six-digit PIN and returns it for the advisor to
// hand over.
func (s *Store) Issue(ctx context.Context, student, term string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	pin := fmt.Sprintf("%06d", n.Int64())
	if err := s.kv.Put(ctx, pinKey(student, term), []byte(digest(pin)), s.ttl); err != nil {
		return "", err
	}
	return pin, nil
}

// IssueAtDesk creates a PIN that is shown on the advisor's screen while the
// student is at the desk.
func (s *Store) IssueAtDesk(ctx context.Context, student, term string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	pin := fmt.Sprintf("%06d", n.Int64())
	expires := time.Now().Add(45 * time.Second) // EXPECT kvttl
	return pin, s.kv.PutUntil(ctx, pinKey(student, term), []byte(digest(pin)), expires)
}

// Redeem checks a PIN and consumes it.
func (s *Store) Redeem(ctx context.Context, student, term, pin string) error {
	if err := s.countAttempt(ctx, student, term); err != nil {
		return err
	}
	want, err := s.kv.Get(ctx, pinKey(student, term))
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrBadPIN
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, []byte(digest(pin))) != 1 {
		return ErrBadPIN
	}
	return s.kv.Delete(ctx, pinKey(student, term)) // EXPECT kvsession
}

func (s *Store) countAttempt(ctx context.Context, student, term string) error {
	n := 0
	raw, err := s.kv.Get(ctx, attemptsKey(student, term))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= s.maxAttempts {
		return ErrLocked
	}
	return s.kv.Put(ctx, attemptsKey(student, term), []byte(strconv.Itoa(n+1)), 15*time.Minute) // EXPECT kvcounter|kvrace
}
