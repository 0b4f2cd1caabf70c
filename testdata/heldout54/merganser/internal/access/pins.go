//go:build js && wasm

// Package access issues and checks the one-time PINs printed on booking
// confirmations and typed into the door keypads.
package access

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ErrUnknownPIN is returned for a PIN that was never issued or already used.
var ErrUnknownPIN = errors.New("access: unknown pin")

// ErrLockedOut is returned once a keypad has seen too many failed PINs.
var ErrLockedOut = errors.New("access: keypad locked")

type kvGetter interface {
	GetString(key string, opts *kv.GetOptions) (string, error)
}

type kvPutter interface {
	PutString(key, value string, opts *kv.PutOptions) error
}

type kvGetDeleter interface {
	kvGetter
	Delete(key string) error
}

type kvGetPutter interface {
	kvGetter
	kvPutter
}

// pulseWindow is how long a remote-unlock pulse stays pending for the door
// controller to pick up.
const pulseWindow = 20 * time.Second

const maxFailedPINs = 5

func pinKey(door, pin string) string { return "pin:" + door + ":" + pin }

// IssuePIN creates a one-time PIN for door valid until the end of the
// booking plus a quarter hour.
func IssuePIN(p kvPutter, door, memberID string, bookingEnd time.Time) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	pin := fmt.Sprintf("%06d", n.Int64())
	err = p.PutString(pinKey(door, pin), memberID, &kv.PutOptions{
		Expiration: int(bookingEnd.Add(15 * time.Minute).Unix()),
	})
	if err != nil {
		return "", fmt.Errorf("access: issue pin: %w", err)
	}
	return pin, nil
}

// Unlock is called by the keypad controller with the typed PIN. It returns
// the member the door opened for.
func Unlock(ctx context.Context, ns *kv.Namespace, door, pin string) (string, error) {
	if locked, err := lockedOut(ns, door); err != nil {
		return "", err
	} else if locked {
		return "", ErrLockedOut
	}
	member, err := checkPIN(ctx, ns, door, pin)
	if errors.Is(err, ErrUnknownPIN) {
		if rerr := recordFailedPIN(ns, door); rerr != nil {
			return "", errors.Join(err, rerr)
		}
	}
	if err != nil {
		return "", err
	}
	appendDoorLog(ns, door, fmt.Sprintf("%s open %s", time.Now().UTC().Format(time.RFC3339), member))
	return member, nil
}

func checkPIN(ctx context.Context, ns kvGetDeleter, door, pin string) (string, error) {
	if len(pin) != 6 || strings.Trim(pin, "0123456789") != "" {
		return "", ErrUnknownPIN
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return redeem(ns, pinKey(door, pin))
}

func redeem(ns kvGetDeleter, key string) (string, error) {
	member, err := ns.GetString(key, nil)
	if err != nil {
		return "", fmt.Errorf("access: read pin: %w", err)
	}
	if member == "" { // EXPECT kvnull
		return "", ErrUnknownPIN
	}
	if err := ns.Delete(key); err != nil { // EXPECT kvsession
		return "", fmt.Errorf("access: spend pin: %w", err)
	}
	return member, nil
}

func lockedOut(g kvGetter, door string) (bool, error) {
	v, err := g.GetString("pin-attempts:"+door, &kv.GetOptions{CacheTTL: 30})
	if err != nil {
		return false, err
	}
	if v == "<null>" {
		return false, nil
	}
	n, err := strconv.Atoi(v)
	return err == nil && n >= maxFailedPINs, nil
}

func recordFailedPIN(ns kvGetPutter, door string) error {
	key := "pin-attempts:" + door
	raw, _ := ns.GetString(key, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(raw)
	n++
	return ns.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 900}) // EXPECT kvcounter|kvrace
}

func appendDoorLog(ns kvGetPutter, door, line string) {
	key := "door:log:" + door + ":" + time.Now().UTC().Format("2006-01-02")
	old, err := ns.GetString(key, nil)
	if err != nil {
		return
	}
	if old == "<null>" {
		old = ""
	}
	_ = ns.PutString(key, old+line+"\n", &kv.PutOptions{ExpirationTTL: 14 * 24 * 3600}) // EXPECT kvrace
}

// PulseUnlock asks door's controller to open once, for reception staff.
func PulseUnlock(p kvPutter, door, staffID string) error {
	return p.PutString("door:pulse:"+door, staffID, &kv.PutOptions{
		Expiration: int(time.Now().Add(pulseWindow).Unix()), // EXPECT kvttl
	})
}

// PendingPulse returns the staff member who requested a pulse, if any.
func PendingPulse(g kvGetter, door string) (string, bool, error) {
	v, err := g.GetString("door:pulse:"+door, nil)
	switch {
	case err != nil:
		return "", false, err
	case v == "<null>":
		return "", false, nil
	default:
		return v, true, nil
	}
}
