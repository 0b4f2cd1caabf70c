// Package devices registers devices and hands out provisioning tokens.
package devices

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/fleet/internal/config"
	"example.com/fleet/internal/keys"
	"example.com/fleet/internal/kvstore"
	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/retry"
)

var (
	ErrSerialTaken  = errors.New("devices: serial already registered")
	ErrTokenInvalid = errors.New("devices: provisioning token invalid or expired")
	ErrTooManyTries = errors.New("devices: too many failed provisioning attempts")
)

// Device is the registry record.
type Device struct {
	ID           string            `json:"id"`
	Serial       string            `json:"serial"`
	Model        string            `json:"model"`
	Firmware     string            `json:"firmware"`
	Labels       map[string]string `json:"labels,omitempty"`
	RegisteredAt time.Time         `json:"registered_at"`
}

// ProvisionToken lets a factory-fresh device claim its identity once.
type ProvisionToken struct {
	Token     string    `json:"token"`
	Serial    string    `json:"serial"`
	Model     string    `json:"model"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Direct is the subset of the SDK client the registry calls itself.
type Direct struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
}

type Registry struct {
	store   kvstore.Store
	devices *repo.Repo[Device]
	tokens  *repo.Repo[ProvisionToken]
	direct  Direct
	cfg     config.Config
	log     *slog.Logger
}

func NewRegistry(store kvstore.Store, direct Direct, cfg config.Config, log *slog.Logger) *Registry {
	return &Registry{
		store:   store,
		devices: repo.New[Device](store, keys.Device),
		tokens:  repo.New[ProvisionToken](store, keys.ProvisionTok),
		direct:  direct,
		cfg:     cfg,
		log:     log,
	}
}

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// IssueToken creates a one-time provisioning token for a serial.
func (r *Registry) IssueToken(ctx context.Context, serial, model string) (ProvisionToken, error) {
	pt := ProvisionToken{
		Token:     newID(24),
		Serial:    serial,
		Model:     model,
		ExpiresAt: time.Now().Add(r.cfg.ProvisionTokenTTL),
	}
	if err := r.tokens.Put(ctx, pt.Token, pt, kvstore.WithTTL(r.cfg.ProvisionTokenTTL)); err != nil {
		return ProvisionToken{}, fmt.Errorf("issue token: %w", err)
	}
	return pt, nil
}

// Reissue replaces a token that a technician lost, keeping the original
// deadline so a reissue never extends the provisioning window.
func (r *Registry) Reissue(ctx context.Context, old string) (ProvisionToken, error) {
	pt, found, err := r.tokens.Get(ctx, old)
	if err != nil {
		return ProvisionToken{}, err
	}
	if !found || time.Now().After(pt.ExpiresAt) {
		return ProvisionToken{}, ErrTokenInvalid
	}
	pt.Token = newID(24)
	if err := r.tokens.Put(ctx, pt.Token, pt, kvstore.WithTTL(time.Until(pt.ExpiresAt))); err != nil { // EXPECT kvttl
		return ProvisionToken{}, err
	}
	return pt, r.tokens.Delete(ctx, old) // EXPECT kvsession
}

// Redeem is called by the device on first boot. It checks the token, claims
// the serial and registers the device.
func (r *Registry) Redeem(ctx context.Context, token, firmware string) (Device, error) {
	pt, found, err := r.tokens.Get(ctx, token)
	if err != nil {
		return Device{}, err
	}
	if !found {
		return Device{}, ErrTokenInvalid
	}
	if time.Now().After(pt.ExpiresAt) {
		if _, ferr := r.noteFailure(ctx, pt.Serial); errors.Is(ferr, ErrTooManyTries) {
			return Device{}, ferr
		}
		return Device{}, ErrTokenInvalid
	}

	dev := Device{ID: newID(8), Serial: pt.Serial, Model: pt.Model, Firmware: firmware, RegisteredAt: time.Now().UTC()}
	if err := r.claimSerial(ctx, pt.Serial, dev.ID); err != nil {
		return Device{}, err
	}
	if err := r.devices.Put(ctx, dev.ID, dev); err != nil {
		return Device{}, err
	}

	// Tokens are single use.
	_, err = r.direct.Client.KV.Namespaces.Values.Delete(ctx, r.direct.NamespaceID, keys.ProvisionTok+token, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(r.direct.AccountID)}) // EXPECT kvsession
	if err != nil {
		r.log.Warn("token cleanup failed", "err", err)
	}
	return dev, nil
}

func (r *Registry) claimSerial(ctx context.Context, serial, deviceID string) error {
	key := keys.Serial + serial
	if _, err := r.store.Get(ctx, key); err == nil {
		return fmt.Errorf("%w: %s", ErrSerialTaken, serial)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return r.store.Put(ctx, key, []byte(deviceID)) // EXPECT kvrace
}

// noteFailure tracks bad tokens per serial and locks the serial out after
// five attempts within the hour.
func (r *Registry) noteFailure(ctx context.Context, serial string) (int, error) {
	key := fmt.Sprintf("provision:attempts:%s", serial)
	n := 0
	raw, err := r.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return 0, err
	}
	n++
	if err := r.store.Put(ctx, key, []byte(strconv.Itoa(n)), kvstore.WithTTL(time.Hour)); err != nil { // EXPECT kvcounter
		return n, err
	}
	if n >= 5 {
		return n, ErrTooManyTries
	}
	return n, nil
}

// Touch makes sure a device that reports in has a registry record; devices
// flashed before the registry existed have none.
func (r *Registry) Touch(ctx context.Context, id, serial, firmware string) error {
	key := r.devices.Key(id)
	if _, err := r.store.Get(ctx, key); err != nil { // EXPECT kvnull
		r.log.Info("adopting unregistered device", "id", id)
		dev := Device{ID: id, Serial: serial, Firmware: firmware, RegisteredAt: time.Now().UTC()}
		return r.devices.Put(ctx, id, dev)
	}
	return nil
}

// SetLabels merges labels into the device record.
func (r *Registry) SetLabels(ctx context.Context, id string, labels map[string]string) (Device, error) {
	dev, found, err := r.devices.Get(ctx, id)
	if err != nil {
		return Device{}, err
	}
	if !found {
		return Device{}, fmt.Errorf("devices: %s: %w", id, kvstore.ErrNotFound)
	}
	if dev.Labels == nil {
		dev.Labels = map[string]string{}
	}
	for k, v := range labels {
		dev.Labels[k] = v
	}
	err = retry.Do(ctx, func() error {
		return r.devices.Put(ctx, id, dev) // EXPECT kvrace
	})
	return dev, err
}
