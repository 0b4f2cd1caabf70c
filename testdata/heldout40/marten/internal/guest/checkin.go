// Package guest issues check-in codes and digital room keys, and keeps the
// upsell cart a guest fills in the pre-arrival app.
package guest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"time"

	"marten/internal/kvstore"
)

// CodeKey is the key of a check-in code.
type CodeKey string

// ResIndexKey maps a reservation to its code and issued room keys.
type ResIndexKey string

func codeKey(code string) CodeKey          { return CodeKey("guest/checkin-code/" + code) }
func resIndexKey(resID string) ResIndexKey { return ResIndexKey("guest/res/" + resID) }

// Reservation is the part of a booking the key service needs.
type Reservation struct {
	ID        string
	Property  string
	Room      string
	Guests    []string
	Arrival   time.Time
	Departure time.Time
}

// CodeRecord is stored under a check-in code.
type CodeRecord struct {
	ReservationID string
	Room          string
	IssuedAt      time.Time
}

// ResIndex lists what was issued for a reservation.
type ResIndex struct {
	Code      string
	KeyTokens []string
}

// Keys is the check-in and room-key service.
type Keys interface {
	IssueCode(ctx context.Context, res Reservation) (string, error)
	Redeem(ctx context.Context, code string, res Reservation) ([]string, error)
	Revoke(ctx context.Context, resID string) error
	KioskFailure(ctx context.Context, kiosk string) (locked bool, err error)
}

type keys struct {
	kv *kvstore.Store
}

// NewKeys returns the key service on store s.
func NewKeys(s *kvstore.Store) Keys { return &keys{kv: s} }

var ErrBadCode = errors.New("guest: unknown or used check-in code")

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// IssueCode creates the code printed on the pre-arrival e-mail. It stays
// valid until the evening of the arrival day.
func (k *keys) IssueCode(ctx context.Context, res Reservation) (string, error) {
	code := sixDigits()
	rec := CodeRecord{ReservationID: res.ID, Room: res.Room, IssuedAt: time.Now()}
	if err := kvstore.Keep(ctx, k.kv, codeKey(code), rec, time.Until(res.Arrival.Add(20*time.Hour))); err != nil { // EXPECT kvttl
		return "", err
	}
	if err := kvstore.Keep(ctx, k.kv, resIndexKey(res.ID), ResIndex{Code: code}, 30*24*time.Hour); err != nil {
		return "", err
	}
	return code, nil
}

// Redeem consumes a check-in code at the kiosk and issues one mobile key per
// guest on the reservation.
func (k *keys) Redeem(ctx context.Context, code string, res Reservation) ([]string, error) {
	rec, ok, err := kvstore.Load[CodeKey, CodeRecord](ctx, k.kv, codeKey(code))
	if err != nil {
		return nil, err
	}
	if !ok || rec.ReservationID != res.ID {
		return nil, ErrBadCode
	}
	if err := k.kv.Delete(ctx, string(codeKey(code))); err != nil { // EXPECT kvsession
		return nil, err
	}
	return k.issueMobileKeys(ctx, res)
}

const kioskLockout = 10 * time.Minute

// KioskFailure counts a mistyped code at a kiosk and reports whether the
// kiosk is to lock its keypad.
func (k *keys) KioskFailure(ctx context.Context, kiosk string) (bool, error) {
	key := "kiosk/code-attempts/" + kiosk
	raw, found, err := k.kv.Lookup(ctx, key)
	if err != nil {
		return false, err
	}
	var n uint64
	if found && len(raw) == 8 {
		n = binary.BigEndian.Uint64(raw)
	}
	n++
	if err := k.kv.PutTTL(ctx, key, kvstore.Uint64(n), kioskLockout); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return n >= 8, nil
}

// KioskEvent is a status report of a kiosk (paper, card dispenser, ...).
type KioskEvent struct {
	At     time.Time
	Status string
	Detail string
}

// SyncKioskEvents records the reports a kiosk uploads after being offline.
func SyncKioskEvents(ctx context.Context, s *kvstore.Store, kiosk string, events []KioskEvent) error {
	status := CodeKey("kiosk/status/" + kiosk)
	for _, ev := range events {
		if err := kvstore.Keep(ctx, s, status, ev, time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ArchiveKioskEvents stores each report under its own key for the daily
// kiosk health report.
func ArchiveKioskEvents(ctx context.Context, s *kvstore.Store, kiosk string, events []KioskEvent) error {
	for _, ev := range events {
		key := CodeKey(fmt.Sprintf("kiosk/events/%s/%d", kiosk, ev.At.UnixNano()))
		if err := kvstore.Keep(ctx, s, key, ev, 3*24*time.Hour); err != nil {
			return err
		}
	}
	return nil
}
