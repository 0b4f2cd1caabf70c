// Package device registers mobile app installations and their push tokens.
package device

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/repo"
)

// Platform is the push provider family of a device.
type Platform string

const (
	IOS     Platform = "ios"
	Android Platform = "android"
	Web     Platform = "web"
)

// Device is one app installation.
type Device struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"tenant"`
	Platform   Platform  `json:"platform"`
	PushToken  string    `json:"push_token"`
	Locale     string    `json:"locale,omitempty"`
	AppVersion string    `json:"app_version,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
}

func (d Device) Key() string { return consts.PrefixDevice.Key(d.TenantID, d.ID) }

// Preferences are the per-device notification settings.
type Preferences struct {
	Marketing bool   `json:"marketing"`
	QuietFrom string `json:"quiet_from,omitempty"`
	QuietTo   string `json:"quiet_to,omitempty"`
}

var DefaultPreferences = Preferences{Marketing: true}

var (
	ErrInvalid  = errors.New("device: invalid registration")
	ErrNotFound = repo.ErrNotFound
)

// RegisterRequest is the body of a registration call.
type RegisterRequest struct {
	TenantID   string   `json:"-"`
	DeviceID   string   `json:"device_id,omitempty"`
	Platform   Platform `json:"platform"`
	PushToken  string   `json:"push_token"`
	Locale     string   `json:"locale"`
	AppVersion string   `json:"app_version"`
	Verified   bool     `json:"-"`
}

// Service is the device registry.
type Service struct {
	store          kvstore.Store
	devices        *repo.Repository[Device]
	ttl            time.Duration
	provisionalTTL time.Duration
}

// NewService builds the registry on store.
func NewService(store kvstore.Store, ttl, provisionalTTL time.Duration) *Service {
	keyOf := func(id string) string {
		tenant, dev, _ := strings.Cut(id, "/")
		return consts.PrefixDevice.Key(tenant, dev)
	}
	meta := func(d Device) map[string]any { return map[string]any{"p": string(d.Platform), "v": d.AppVersion} }
	return &Service{
		store:          store,
		devices:        repo.New(store, keyOf, ttl, repo.WithMetadata(meta)),
		ttl:            ttl,
		provisionalTTL: provisionalTTL,
	}
}

// Register creates or replaces a device; a device without an ID gets one.
func (s *Service) Register(ctx context.Context, req RegisterRequest) (Device, error) {
	if req.TenantID == "" || req.PushToken == "" {
		return Device{}, ErrInvalid
	}
	if !slices.Contains([]Platform{IOS, Android, Web}, req.Platform) {
		return Device{}, fmt.Errorf("%w: platform %q", ErrInvalid, req.Platform)
	}
	now := time.Now().UTC()
	d := Device{
		ID: req.DeviceID, TenantID: req.TenantID, Platform: req.Platform, PushToken: req.PushToken,
		Locale: req.Locale, AppVersion: req.AppVersion, CreatedAt: now, LastSeen: now,
	}
	if d.ID == "" {
		d.ID = newID()
	}
	if !req.Verified {
		// Unconfirmed installs are kept briefly until the app confirms the
		// token with a second call.
		return d, kvstore.PutJSON(ctx, s.store, d.Key(), d, kvstore.PutOptions{TTL: s.provisionalTTL})
	}
	return d, s.devices.Save(ctx, d)
}

// Get returns a device.
func (s *Service) Get(ctx context.Context, tenant, id string) (Device, error) {
	return s.devices.Load(ctx, tenant+"/"+id)
}

// Unregister removes a device.
func (s *Service) Unregister(ctx context.Context, tenant, id string) error {
	return s.devices.Delete(ctx, tenant+"/"+id)
}

// SetLocale changes the locale used to render notifications.
func (s *Service) SetLocale(ctx context.Context, tenant, id, locale string) error {
	return s.devices.Update(ctx, tenant+"/"+id, func(d *Device) error {
		d.Locale = locale
		d.LastSeen = time.Now().UTC()
		return nil
	})
}

func prefsKey(tenant, id string) string { return consts.PrefixPrefs.Key("device", tenant, id) }

// Preferences returns the device's settings, or the defaults.
func (s *Service) Preferences(ctx context.Context, tenant, id string) (Preferences, error) {
	raw, err := s.store.Get(ctx, prefsKey(tenant, id))
	if err != nil {
		return Preferences{}, err
	}
	if raw == nil { // EXPECT kvnull
		return DefaultPreferences, nil
	}
	var p Preferences
	return p, json.Unmarshal(raw, &p)
}

// SetPreferences replaces the device's settings with p.
func (s *Service) SetPreferences(ctx context.Context, tenant, id string, p Preferences) error {
	return kvstore.PutJSON(ctx, s.store, prefsKey(tenant, id), p, kvstore.PutOptions{TTL: s.ttl})
}

// CountForTenant returns how many devices a tenant has registered.
func (s *Service) CountForTenant(ctx context.Context, tenant string) (int, error) {
	page, err := s.store.List(ctx, consts.PrefixDevice.Key(tenant, ""), "", consts.ListPageSize) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}

// PurgeTenant deletes every device of an off-boarded tenant.
func (s *Service) PurgeTenant(ctx context.Context, tenant string) (int, error) {
	it, ok := s.store.(interface {
		Keys(ctx context.Context, prefix string) iter.Seq2[string, error]
	})
	if !ok {
		return 0, errors.New("device: store cannot iterate keys")
	}
	n := 0
	for key, err := range it.Keys(ctx, consts.PrefixDevice.Key(tenant, "")) { // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if err := s.store.Delete(ctx, key); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Lookup resolves device IDs of a tenant with bulk reads, skipping devices
// that no longer exist.
func (s *Service) Lookup(ctx context.Context, tenant string, ids []string) ([]Device, error) {
	br, ok := s.store.(kvstore.BulkReader)
	if !ok {
		return nil, errors.New("device: store has no bulk reads")
	}
	out := make([]Device, 0, len(ids))
	for chunk := range slices.Chunk(ids, consts.BulkGetMax) {
		keys := make([]string, len(chunk))
		for i, id := range chunk {
			keys[i] = consts.PrefixDevice.Key(tenant, id)
		}
		vals, err := br.GetMany(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if raw, ok := vals[k]; ok {
				var d Device
				if err := json.Unmarshal(raw, &d); err != nil {
					return nil, err
				}
				out = append(out, d)
			}
		}
	}
	return out, nil
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
