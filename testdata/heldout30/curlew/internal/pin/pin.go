// Package pin issues and verifies the delivery PINs recipients read out to
// the courier for high-value parcels.
package pin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	"example.com/curlew/internal/flags"
	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/kv/memkv"
	"example.com/curlew/internal/repo"
)

// ErrCooldown is returned when a PIN was sent moments ago.
var ErrCooldown = errors.New("pin: resend cooldown")

// Vault is the original PIN store, implemented by infra/cfrest.PinVault.
type Vault interface {
	Issue(ctx context.Context, parcelID, pinHash string, validFor time.Duration) error
	Redeem(ctx context.Context, parcelID, pinHash string) (bool, error)
}

type pinRecord struct {
	Parcel  string    `json:"parcel"`
	Hash    string    `json:"hash"`
	Issued  time.Time `json:"issued"`
	Expires time.Time `json:"expires"`
}

func (r pinRecord) lifetime() time.Duration {
	return max(time.Until(r.Expires), time.Minute)
}

// Service issues and verifies PINs, on the original vault or on the
// repository store depending on the pin.vault-v2 flag.
type Service struct {
	legacy   Vault
	pins     *repo.Repo[pinRecord]
	flags    flags.Source
	cooldown *memkv.Store
	pepper   []byte
	validFor time.Duration
}

// New returns the PIN service.
func New(legacy Vault, s kv.Store, f flags.Source, pepper []byte, validFor time.Duration) *Service {
	return &Service{
		legacy:   legacy,
		pins:     repo.New(s, "pin2:", repo.WithLifetime(pinRecord.lifetime)),
		flags:    f,
		cooldown: memkv.New(),
		pepper:   pepper,
		validFor: validFor,
	}
}

func (s *Service) hash(parcelID, pin string) string {
	m := hmac.New(sha256.New, s.pepper)
	m.Write([]byte(parcelID + ":" + pin))
	return hex.EncodeToString(m.Sum(nil))
}

// Issue creates a PIN for parcelID and returns it for the SMS sender.
func (s *Service) Issue(ctx context.Context, parcelID string) (string, error) {
	if _, err := s.cooldown.Get(ctx, parcelID); err == nil {
		return "", ErrCooldown
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	pin := fmt.Sprintf("%06d", n.Int64())
	h := s.hash(parcelID, pin)
	if s.flags.Enabled(ctx, flags.PinVaultV2) {
		now := time.Now().UTC()
		err = s.pins.Save(ctx, parcelID, pinRecord{Parcel: parcelID, Hash: h, Issued: now, Expires: now.Add(s.validFor)})
	} else {
		err = s.legacy.Issue(ctx, parcelID, h, s.validFor)
	}
	if err != nil {
		return "", err
	}
	_ = s.cooldown.Put(ctx, parcelID, []byte("1"), kv.WithTTL(30*time.Second))
	return pin, nil
}

// Verify checks a PIN the courier typed in and consumes it on success.
func (s *Service) Verify(ctx context.Context, parcelID, pin string) (bool, error) {
	h := s.hash(parcelID, pin)
	if !s.flags.Enabled(ctx, flags.PinVaultV2) {
		return s.legacy.Redeem(ctx, parcelID, h)
	}
	rec, err := s.pins.Get(ctx, parcelID)
	if errors.Is(err, repo.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !hmac.Equal([]byte(rec.Hash), []byte(h)) {
		return false, nil
	}
	if err := s.pins.Delete(ctx, parcelID); err != nil { // EXPECT kvsession
		return false, err
	}
	return true, nil
}
