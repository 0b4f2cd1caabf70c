// Package ridepin issues and checks the four-digit PIN a rider reads out to
// the driver at pickup. Functions here are stateless: the namespace is passed
// on every call.
package ridepin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"goldeneye/internal/kvstore"
)

var (
	// ErrAlreadyIssued is returned when a trip already has a PIN.
	ErrAlreadyIssued = errors.New("ridepin: already issued")
	// ErrNoPIN is returned when the trip has no live PIN.
	ErrNoPIN = errors.New("ridepin: no pin for trip")
	// ErrMismatch is returned for an incorrect PIN.
	ErrMismatch = errors.New("ridepin: mismatch")
	// ErrLocked is returned after too many failed attempts.
	ErrLocked = errors.New("ridepin: locked")
)

const (
	pinTTL        = 20 * time.Minute
	curbsideTTL   = 45 * time.Second
	maxAttempts   = 5
	attemptWindow = 15 * time.Minute
)

type kvGetDeleter interface {
	kvstore.Getter
	kvstore.Deleter
}

func pinKey(tripID string) string      { return "pin:trip:" + tripID }
func attemptsKey(tripID string) string { return "pin-attempts:" + tripID }

func fourDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(10000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%04d", n.Int64())
}

// Issue creates the pickup PIN for a trip. A trip gets one PIN for its
// lifetime so that the rider's screen and the driver's app agree.
func Issue(ctx context.Context, ns kvstore.GetPutter, tripID string) (string, error) {
	if _, err := ns.Get(ctx, pinKey(tripID)); err == nil {
		return "", ErrAlreadyIssued
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	code := fourDigits()
	if err := ns.Put(ctx, pinKey(tripID), []byte(code), pinTTL); err != nil { // EXPECT kvrace
		return "", fmt.Errorf("issue pin: %w", err)
	}
	return code, nil
}

// IssueCurbside creates a short-lived PIN for airport curbside pickups, where
// the rider is matched with whichever driver reaches the bay first.
func IssueCurbside(ctx context.Context, ns kvstore.Putter, tripID string) (string, error) {
	code := fourDigits()
	if err := ns.Put(ctx, pinKey(tripID), []byte(code), curbsideTTL); err != nil { // EXPECT kvttl
		return "", fmt.Errorf("issue curbside pin: %w", err)
	}
	return code, nil
}

// Reissue replaces the PIN after the rider asked for a new one. The new code
// lives at least as long as the store's minimum lease.
func Reissue(ctx context.Context, ns interface {
	PutLease(context.Context, string, []byte, time.Duration) error
}, tripID string, remaining time.Duration) (string, error) {
	code := fourDigits()
	if err := ns.PutLease(ctx, pinKey(tripID), []byte(code), remaining); err != nil {
		return "", err
	}
	return code, nil
}

// Verify checks code against the trip's PIN and consumes it on success.
func Verify(ctx context.Context, ns kvstore.Namespace, tripID, code string) error {
	if n, err := attempts(ctx, ns, tripID); err != nil {
		return err
	} else if n >= maxAttempts {
		return ErrLocked
	}
	err := redeem(ctx, ns, tripID, code)
	if errors.Is(err, ErrMismatch) {
		if _, rerr := recordMiss(ctx, ns, tripID); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	return err
}

func redeem(ctx context.Context, ns kvGetDeleter, tripID, code string) error {
	want, err := fetch(ctx, ns, tripID)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		return ErrMismatch
	}
	return consume(ctx, ns, tripID)
}

func fetch(ctx context.Context, g kvstore.Getter, tripID string) (string, error) {
	raw, err := g.Get(ctx, pinKey(tripID))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		return "", fmt.Errorf("trip %s: %w", tripID, ErrNoPIN)
	case err != nil:
		return "", err
	}
	return string(raw), nil
}

func consume(ctx context.Context, d kvstore.Deleter, tripID string) error {
	if err := d.Delete(ctx, pinKey(tripID)); err != nil { // EXPECT kvsession
		return fmt.Errorf("consume pin: %w", err)
	}
	return nil
}

func attempts(ctx context.Context, g kvstore.Getter, tripID string) (int, error) {
	raw, err := g.Get(ctx, attemptsKey(tripID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

func recordMiss(ctx context.Context, ns kvstore.GetPutter, tripID string) (int, error) {
	n, err := attempts(ctx, ns, tripID)
	if err != nil {
		return 0, err
	}
	n++
	return n, ns.Put(ctx, attemptsKey(tripID), []byte(strconv.Itoa(n)), attemptWindow) // EXPECT kvcounter|kvrace
}
