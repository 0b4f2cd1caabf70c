// Package push keeps the mobile push tokens of the attendee app: one record
// per app install, plus the set of installs each attendee signed in on, so
// schedule changes and room moves reach every phone the attendee carries.
package push

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/kvstore"
	"example.com/lattice/internal/platform/typedkv"
)

// Platform is the push provider an install uses.
type Platform string

const (
	APNs Platform = "apns"
	FCM  Platform = "fcm"
)

// InstallID identifies one installation of the app.
type InstallID string

// Device is one registered install.
type Device struct {
	Install    InstallID       `json:"install"`
	Platform   Platform        `json:"platform"`
	Token      string          `json:"token"`
	Attendee   conf.AttendeeID `json:"attendee,omitempty"`
	AppVersion string          `json:"app_version"`
	Registered time.Time       `json:"registered"`
}

// tokenLifetime is how long a token is kept without the app re-registering.
// The app re-registers on every launch, so stale installs age out.
const tokenLifetime = 60 * 24 * time.Hour

// Registry stores devices through the storage port.
type Registry struct {
	store    kvstore.Store
	installs typedkv.Store[conf.AttendeeID, []InstallID]
}

// NewRegistry wires a Registry.
func NewRegistry(store kvstore.Store) *Registry {
	return &Registry{store: store, installs: typedkv.New[conf.AttendeeID, []InstallID](store, "push:attendee:")}
}

func deviceKey(id InstallID) string { return "push:install:" + string(id) }

// Register stores or refreshes one install's token.
func (r *Registry) Register(ctx context.Context, d Device) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return r.store.Put(ctx, deviceKey(d.Install), raw,
		kvstore.TTLSeconds(int64(tokenLifetime)), // EXPECT kvttl
		kvstore.Metadata(map[string]any{"platform": string(d.Platform), "token": d.Token}),
	)
}

// Link associates an install with the attendee who signed in on it.
func (r *Registry) Link(ctx context.Context, a conf.AttendeeID, id InstallID) error {
	ids, _, err := r.installs.Lookup(ctx, a)
	if err != nil {
		return err
	}
	if slices.Contains(ids, id) {
		return nil
	}
	ids = append(ids, id)
	return r.installs.Put(ctx, a, ids, tokenLifetime) // EXPECT kvsession|kvrace
}

// Unregister forgets an install after the provider reported the token dead.
func (r *Registry) Unregister(ctx context.Context, id InstallID) error {
	return r.store.Delete(ctx, deviceKey(id)) // DEBATABLE kvsession
}
