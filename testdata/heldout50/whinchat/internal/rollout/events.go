// Package rollout assigns firmware to devices and keeps the KV projection
// that devices poll (firmware flags, bundles, token state) in step with
// fleet events.
package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/whinchat/fleet/internal/catalog"
	"github.com/whinchat/fleet/internal/kvstore"
)

// Event is something that happened to a device.
type Event interface {
	Device() string
	TenantID() string
}

// Ref identifies the device an event is about.
type Ref struct{ Tenant, DeviceID string }

func (r Ref) Device() string   { return r.DeviceID }
func (r Ref) TenantID() string { return r.Tenant }

type FirmwareAssigned struct {
	Ref
	Channel, Version string
	At               time.Time
}

type ConfigChanged struct {
	Ref
	Revision int64
}

type DeviceDecommissioned struct {
	Ref
	By string
}

type TokenRevoked struct {
	Ref
	TokenHash, Reason string
}

type InstallReported struct {
	Ref
	Version string
	Attempt int
	OK      bool
}

type MaintenanceWindow struct {
	Ref
	Start, End time.Time
}

type firmwareFlag struct {
	Version string    `json:"version"`
	Channel string    `json:"channel"`
	Since   time.Time `json:"since"`
}

// Dispatcher applies events to the KV projection.
type Dispatcher struct {
	flags    kvstore.Space // fw/<tenant>/<channel>/<device>
	freeze   kvstore.Space // fw/freeze/<tenant>/<device>
	bundles  kvstore.Space // cfg/bundle/<tenant>/<device>
	tokens   kvstore.Space // token/device/<tenant>/<device>
	revoked  kvstore.Space // token/revoked/<hash>
	installs kvstore.Space // fw/installs/<tenant>/<device>/...
}

// NewDispatcher returns a Dispatcher over the fleet namespace.
func NewDispatcher(root kvstore.Space) *Dispatcher {
	fw := root.Scope(catalog.KindFirmwareFlag.Prefix())
	tok := root.Scope(catalog.KindDeviceToken.Prefix())
	return &Dispatcher{
		flags:    fw,
		freeze:   fw.Scope("freeze"),
		bundles:  root.Scope(catalog.KindDeviceConfig.Prefix(), "bundle"),
		tokens:   tok.Scope("device"),
		revoked:  tok.Scope("revoked"),
		installs: fw.Scope("installs"),
	}
}

// Notify lets a Dispatcher subscribe to a Publisher.
func (d *Dispatcher) Notify(ctx context.Context, ev Event) error { return d.Dispatch(ctx, ev) }

// Dispatch applies one event.
func (d *Dispatcher) Dispatch(ctx context.Context, ev Event) error {
	switch e := ev.(type) {
	case FirmwareAssigned:
		body, err := json.Marshal(firmwareFlag{Version: e.Version, Channel: e.Channel, Since: e.At})
		if err != nil {
			return err
		}
		return d.flags.Scope(e.Tenant, e.Channel).Put(ctx, e.DeviceID, body, catalog.KindFirmwareFlag.TTL())

	case ConfigChanged:
		return d.bundles.Scope(e.Tenant).Delete(ctx, e.DeviceID)

	case DeviceDecommissioned:
		if err := d.tokens.Scope(e.Tenant).Delete(ctx, e.DeviceID); err != nil { // EXPECT kvsession
			return err
		}
		return d.bundles.Scope(e.Tenant).Delete(ctx, e.DeviceID)

	case TokenRevoked:
		entry, err := json.Marshal(map[string]string{"device": e.DeviceID, "reason": e.Reason})
		if err != nil {
			return err
		}
		return d.revoked.Put(ctx, e.TokenHash, entry, 0) // EXPECT kvsession

	case InstallReported:
		status := "failed"
		if e.OK {
			status = "ok"
		}
		dev := d.installs.Scope(e.Tenant, e.DeviceID)
		if err := dev.Put(ctx, "status/"+e.Version, []byte(status), 30*24*time.Hour); err != nil {
			return err
		}
		return dev.Put(ctx, "attempts/"+e.Version, []byte(strconv.Itoa(e.Attempt)), 30*24*time.Hour) // EXPECT kvcounter

	case MaintenanceWindow:
		return d.freezeUntil(ctx, e)

	default:
		return fmt.Errorf("rollout: unhandled event %T", ev)
	}
}

// freezeUntil marks a device as frozen for OTA during its maintenance
// window; the flag expires on its own when the window closes.
func (d *Dispatcher) freezeUntil(ctx context.Context, e MaintenanceWindow) error {
	client, account, ns := d.freeze.Client()
	body, err := json.Marshal(map[string]time.Time{"start": e.Start, "end": e.End})
	if err != nil {
		return err
	}
	_, err = client.KV.Namespaces.Values.Update(ctx, ns, d.freeze.Scope(e.Tenant).Key(e.DeviceID), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		Expiration: cloudflare.F(float64(e.End.UnixMilli())), // EXPECT kvttl
	})
	return err
}
