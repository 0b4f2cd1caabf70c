package signin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

const (
	grantLifetime = 10 * time.Minute
	userCodeChars = "BCDFGHJKLMNPQRSTVWXZ"
)

var (
	grantAt    = kvx.Prefixed("device-grant:")
	userCodeAt = kvx.Prefixed("device-user-code:")
)

// Devices runs the OAuth device-authorization flow for council kiosks.
type Devices struct {
	Store kvstore.Store
	Clock func() time.Time
}

func userCode() string {
	return strings.Map(func(r rune) rune {
		return rune(userCodeChars[int(r)%len(userCodeChars)])
	}, rand.Text()[:8])
}

// Start opens a grant for a kiosk and returns it.
func (d Devices) Start(ctx context.Context, kioskID string) (domain.DeviceGrant, error) {
	code := userCode()
	g := domain.DeviceGrant{
		DeviceCode: rand.Text(),
		UserCode:   code,
		KioskID:    kioskID,
		Status:     domain.GrantPending,
		ExpiresAt:  d.Clock().Add(grantLifetime).UTC(),
	}
	raw, err := kvx.Seal("device-grant/v1", g)
	if err != nil {
		return g, err
	}
	opts := kvstore.WriteOptions{ExpireAt: g.ExpiresAt.Unix()}
	if err := d.Store.Put(ctx, grantAt(g.DeviceCode), raw, opts); err != nil {
		return g, err
	}
	return g, d.Store.Put(ctx, userCodeAt(code), []byte(g.DeviceCode), opts)
}

func (d Devices) load(ctx context.Context, deviceCode string) (domain.DeviceGrant, error) {
	raw, err := d.Store.Get(ctx, grantAt(deviceCode))
	if errors.Is(err, kvstore.ErrNotFound) {
		return domain.DeviceGrant{}, fmt.Errorf("device grant: %w", domain.ErrExpired)
	}
	if err != nil {
		return domain.DeviceGrant{}, err
	}
	return kvx.Open[domain.DeviceGrant](raw, "device-grant/v1")
}

// Approve lets a signed-in citizen approve the code shown on a kiosk.
func (d Devices) Approve(ctx context.Context, code, citizenID string) error {
	deviceCode, err := d.Store.Get(ctx, userCodeAt(strings.ToUpper(code)))
	if errors.Is(err, kvstore.ErrNotFound) {
		return fmt.Errorf("user code %s: %w", code, domain.ErrNotFound)
	}
	if err != nil {
		return err
	}
	g, err := d.load(ctx, string(deviceCode))
	if err != nil {
		return err
	}
	if g.Status != domain.GrantPending {
		return fmt.Errorf("device grant %s: %w", g.UserCode, domain.ErrConflict)
	}
	if d.Clock().Add(time.Minute).After(g.ExpiresAt) {
		// Too close to expiry for the kiosk to pick the approval up.
		return fmt.Errorf("device grant %s: %w", g.UserCode, domain.ErrExpired)
	}
	g.Status = domain.GrantApproved
	g.CitizenID = citizenID
	raw, err := kvx.Seal("device-grant/v1", g)
	if err != nil {
		return err
	}
	return d.Store.Put(ctx, grantAt(g.DeviceCode), raw, kvstore.WriteOptions{ExpireAt: g.ExpiresAt.Unix()}) // EXPECT kvsession
}
