package cfrest

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// PinVault is the original store for delivery PINs, one key per parcel. It
// stays behind the pin.vault-v2 flag while the repo-based store rolls out.
type PinVault struct{ ns Namespace }

// NewPinVault returns a PinVault on ns.
func NewPinVault(ns Namespace) *PinVault { return &PinVault{ns: ns} }

func pinKey(parcelID string) string { return "pin:" + parcelID }

// Issue stores the PIN hash for parcelID until validFor has passed.
func (v *PinVault) Issue(ctx context.Context, parcelID, pinHash string, validFor time.Duration) error {
	ttl := max(validFor, time.Minute)
	pair := &cloudflare.WorkersKVPair{Key: pinKey(parcelID), Value: pinHash, ExpirationTTL: int(ttl.Seconds())}
	_, err := v.ns.api.WriteWorkersKVEntries(ctx, v.ns.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: v.ns.id, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

// Redeem checks pinHash for parcelID and consumes the PIN when it matches.
func (v *PinVault) Redeem(ctx context.Context, parcelID, pinHash string) (bool, error) {
	stored, err := v.ns.api.GetWorkersKV(ctx, v.ns.rc, cloudflare.GetWorkersKVParams{NamespaceID: v.ns.id, Key: pinKey(parcelID)})
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if subtle.ConstantTimeCompare(stored, []byte(pinHash)) != 1 {
		return false, nil
	}
	_, err = v.ns.api.DeleteWorkersKVEntry(ctx, v.ns.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: v.ns.id, Key: pinKey(parcelID)}) // EXPECT kvsession
	if err != nil {
		return false, fmt.Errorf("pin: consume %s: %w", parcelID, err)
	}
	return true, nil
}

// Locker banks get a code table for the coming weeks in one upload.
const (
	lockerDoors = 240
	codeDays    = 60
)

// PreloadLockerCodes writes door codes for every door of bankID for the
// next codeDays days, starting at day.
func (v *PinVault) PreloadLockerCodes(ctx context.Context, bankID string, day time.Time, code func(door int, day time.Time) string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, lockerDoors*codeDays)
	for d := range codeDays {
		date := day.AddDate(0, 0, d)
		for door := range lockerDoors {
			pairs = append(pairs, &cloudflare.WorkersKVPair{
				Key:        fmt.Sprintf("locker:%s:%s:%03d", bankID, date.Format("20060102"), door),
				Value:      code(door, date),
				Expiration: int(date.AddDate(0, 0, 2).Unix()),
			})
		}
	}
	_, err := v.ns.api.WriteWorkersKVEntries(ctx, v.ns.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: v.ns.id, KVs: pairs}) // EXPECT kvlimits
	return err
}
