package devices

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"time"

	"github.com/whinchat/fleet/internal/catalog"
	"github.com/whinchat/fleet/internal/kvstore"
)

var (
	ErrUnknownCode    = errors.New("pairing: unknown or expired code")
	ErrAlreadyClaimed = errors.New("pairing: device already claimed")
	ErrTooManyTries   = errors.New("pairing: too many failed attempts")
)

const maxFailedAttempts = 5

// PairingCode is the short code a device shows on its screen; an operator
// types it into the console to attach the device to a tenant.
type PairingCode struct {
	Code     string    `json:"code"`
	DeviceID string    `json:"device_id"`
	Serial   string    `json:"serial"`
	Issued   time.Time `json:"issued"`
}

func (p PairingCode) Key() string        { return p.Code }
func (p PairingCode) TTL() time.Duration { return catalog.KindPairing.TTL() }

type claimRecord struct {
	Tenant   string    `json:"tenant"`
	DeviceID string    `json:"device_id"`
	At       time.Time `json:"at"`
}

// Pairing issues and redeems pairing codes.
type Pairing struct {
	codes    kvstore.Space // pairing/code/<code>
	claims   kvstore.Space // pairing/claim/<serial>
	attempts kvstore.Space // pairing/attempts/<tenant>
}

// NewPairing returns the pairing service rooted at the fleet namespace.
func NewPairing(root kvstore.Space) *Pairing {
	p := root.Scope(catalog.KindPairing.Prefix())
	return &Pairing{
		codes:    p.Scope("code"),
		claims:   p.Scope("claim"),
		attempts: p.Scope("attempts"),
	}
}

// Issue creates a fresh code for a device that is waiting to be paired.
func (p *Pairing) Issue(ctx context.Context, deviceID, serial string) (PairingCode, error) {
	for range 5 {
		code, err := randomDigits(6)
		if err != nil {
			return PairingCode{}, err
		}
		if _, err := p.codes.Get(ctx, code); err == nil {
			continue // a live code already uses these digits; draw again
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			return PairingCode{}, err
		}
		pc := PairingCode{Code: code, DeviceID: deviceID, Serial: serial, Issued: time.Now().UTC()}
		if err := kvstore.Save(ctx, p.codes, pc); err != nil { // DEBATABLE kvrace
			return PairingCode{}, err
		}
		return pc, nil
	}
	return PairingCode{}, errors.New("pairing: could not allocate a free code")
}

// Redeem attaches the device behind code to tenant. It fails when the serial
// was already claimed by any tenant.
func (p *Pairing) Redeem(ctx context.Context, tenant, code string) (PairingCode, error) {
	pc, err := kvstore.Load[PairingCode](ctx, p.codes, code)
	if errors.Is(err, kvstore.ErrNotFound) {
		return PairingCode{}, ErrUnknownCode
	}
	if err != nil {
		return PairingCode{}, err
	}
	if n, err := p.failures(ctx, tenant); err != nil {
		return PairingCode{}, err
	} else if n >= maxFailedAttempts {
		return PairingCode{}, ErrTooManyTries
	}

	if _, err := p.claims.Get(ctx, pc.Serial); err == nil {
		return PairingCode{}, ErrAlreadyClaimed
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return PairingCode{}, err
	}
	claim, err := json.Marshal(claimRecord{Tenant: tenant, DeviceID: pc.DeviceID, At: time.Now().UTC()})
	if err != nil {
		return PairingCode{}, err
	}
	if err := p.claims.Put(ctx, pc.Serial, claim, 0); err != nil { // EXPECT kvrace
		return PairingCode{}, err
	}
	if err := p.codes.Delete(ctx, code); err != nil { // EXPECT kvsession
		slog.WarnContext(ctx, "pairing code not consumed", "device", pc.DeviceID, "err", err)
	}
	return pc, nil
}

// RecordFailure notes a rejected code typed by an operator of tenant and
// returns how many failures are on record in the current window.
func (p *Pairing) RecordFailure(ctx context.Context, tenant string) (int, error) {
	n, err := p.failures(ctx, tenant)
	if err != nil {
		return 0, err
	}
	n++
	return n, p.attempts.Put(ctx, tenant, []byte(strconv.Itoa(n)), 15*time.Minute) // EXPECT kvcounter|kvrace
}

func (p *Pairing) failures(ctx context.Context, tenant string) (int, error) {
	raw, err := p.attempts.Get(ctx, tenant)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("attempts for %s: %w", tenant, err)
	}
	return n, nil
}

func randomDigits(n int) (string, error) {
	v, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", n, v), nil
}
