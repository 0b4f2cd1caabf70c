// Package legacy is the installer backend that predates the v6 SDK. It
// issues device pairing codes, keeps installer API tokens and manages
// firmware rollout cohorts.
package legacy

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/motmot-energy/motmot/internal/keys"
	"github.com/motmot-energy/motmot/internal/kvv0"
)

// Errors returned to the installer app.
var (
	ErrBadCode      = errors.New("pairing: unknown or expired code")
	ErrClaimed      = errors.New("pairing: device already paired")
	ErrTooManyTries = errors.New("pairing: too many attempts")
)

const (
	codeLifetime   = 10 * time.Minute
	holdLifetime   = 30 * time.Second
	attemptsWindow = 15 * time.Minute
	maxAttempts    = 5
)

// Pairing issues and redeems device pairing codes.
type Pairing struct {
	KV *kvv0.Store
	// ResendWindow is how long the app waits before offering "resend code".
	ResendWindow time.Duration
}

// Ticket is what a pairing code unlocks.
type Ticket struct {
	HomeID      string    `json:"home"`
	InstallerID string    `json:"installer"`
	Issued      time.Time `json:"issued"`
}

func sixDigits() string {
	n, _ := crand.Int(crand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// Issue creates a fresh pairing code for a home.
func (p *Pairing) Issue(ctx context.Context, homeID, installerID string) (string, error) {
	code := sixDigits()
	body, _ := json.Marshal(Ticket{HomeID: homeID, InstallerID: installerID, Issued: time.Now().UTC()})
	if err := p.KV.PutTTL(ctx, keys.Pairing(code), body, codeLifetime); err != nil {
		return "", err
	}
	return code, nil
}

// Hold reserves a code shown on the device screen while the app confirms.
func (p *Pairing) Hold(ctx context.Context, code string) error {
	return p.KV.PutTTL(ctx, keys.Pairing(code)+":hold", []byte("1"), holdLifetime)
}

// MarkResend stops the app from requesting a new code too soon.
func (p *Pairing) MarkResend(ctx context.Context, homeID string) error {
	_, err := p.KV.API.WriteWorkersKVEntries(ctx, p.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: p.KV.NamespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "pair:resend:" + homeID,
			Value:         time.Now().UTC().Format(time.RFC3339),
			ExpirationTTL: int(max(2*p.ResendWindow, 3*time.Second).Seconds()), // EXPECT kvttl
		}},
	})
	return err
}

// Redeem exchanges a pairing code for its ticket. A code works once.
func (p *Pairing) Redeem(ctx context.Context, installerID, code string) (*Ticket, error) {
	if err := p.countAttempt(ctx, installerID); err != nil {
		return nil, err
	}
	raw, err := p.KV.Get(ctx, keys.Pairing(code))
	if errors.Is(err, kvv0.ErrNotFound) {
		return nil, ErrBadCode
	}
	if err != nil {
		return nil, err
	}
	var t Ticket
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	if err := p.KV.Delete(ctx, keys.Pairing(code)); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &t, nil
}

// countAttempt refuses installers that guess codes.
func (p *Pairing) countAttempt(ctx context.Context, installerID string) error {
	key := "pair:attempts:" + installerID
	n := 0
	switch raw, err := p.KV.Get(ctx, key); {
	case errors.Is(err, kvv0.ErrNotFound):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= maxAttempts {
		return ErrTooManyTries
	}
	return p.KV.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), attemptsWindow) // EXPECT kvcounter|kvrace
}

// Claim binds a device serial to a home. A serial can be claimed once.
func (p *Pairing) Claim(ctx context.Context, serial, homeID string) error {
	params := cloudflare.GetWorkersKVParams{NamespaceID: p.KV.NamespaceID, Key: keys.DeviceClaim(serial)}
	if _, err := p.KV.API.GetWorkersKV(ctx, p.KV.RC, params); err == nil {
		return ErrClaimed
	} else if !errors.As(err, new(*cloudflare.NotFoundError)) {
		return err
	}
	_, err := p.KV.API.WriteWorkersKVEntry(ctx, p.KV.RC, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: p.KV.NamespaceID,
		Key:         keys.DeviceClaim(serial),
		Value:       []byte(homeID),
	})
	return err
}

// HomeOf returns the home a serial is paired to.
func (p *Pairing) HomeOf(ctx context.Context, serial string) (string, error) {
	raw, err := p.KV.API.GetWorkersKV(ctx, p.KV.RC, cloudflare.GetWorkersKVParams{NamespaceID: p.KV.NamespaceID, Key: keys.DeviceClaim(serial)})
	if err != nil {
		return "", err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return "", ErrBadCode
	}
	return string(raw), nil
}

// Unpair releases a serial when a device is returned.
func (p *Pairing) Unpair(ctx context.Context, serial string) error {
	_, err := p.KV.API.DeleteWorkersKVEntry(ctx, p.KV.RC, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: p.KV.NamespaceID,
		Key:         keys.DeviceClaim(serial),
	})
	return err
}
