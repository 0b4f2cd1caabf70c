// Package device keeps the registry of enrolled devices.
package device

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"path"
	"strings"
	"time"

	"bittern/internal/keys"
	"bittern/internal/kvstore"
)

// Device is the registry record of one enrolled device.
type Device struct {
	Tenant     string    `json:"tenant"`
	Serial     string    `json:"serial"`
	Model      string    `json:"model"`
	Firmware   string    `json:"firmware"`
	FirmwareAt time.Time `json:"firmware_at"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// Summary is what listings return; it is stored as key metadata.
type Summary struct {
	Serial   string `json:"serial"`
	Model    string `json:"model"`
	Firmware string `json:"firmware"`
}

// ClaimError is returned when a serial cannot be enrolled.
type ClaimError struct {
	Serial string
	Err    error
}

func (e *ClaimError) Error() string { return fmt.Sprintf("claim %s: %v", e.Serial, e.Err) }
func (e *ClaimError) Unwrap() error { return e.Err }

var errEnrolled = errors.New("device already enrolled")

// Registry stores devices in their tenant's namespace.
type Registry struct {
	ns       func(tenant string) kvstore.Namespace
	lastSeen *kvstore.Buffer
	log      *log.Logger
}

// NewRegistry returns a registry. lastSeen receives one write per device per
// flush interval.
func NewRegistry(ns func(string) kvstore.Namespace, lastSeen *kvstore.Buffer, logger *log.Logger) *Registry {
	return &Registry{ns: ns, lastSeen: lastSeen, log: logger}
}

func deviceKey(tenant, serial string) string { return keys.Device.Key(tenant, serial) }

// Get returns the record of one device.
func (r *Registry) Get(ctx context.Context, tenant, serial string) (Device, error) {
	raw, err := r.ns(tenant).Get(ctx, deviceKey(tenant, serial))
	if err != nil {
		return Device{}, fmt.Errorf("device %s/%s: %w", tenant, serial, err)
	}
	var d Device
	if err := json.Unmarshal(raw, &d); err != nil {
		return Device{}, fmt.Errorf("device %s/%s: decode: %w", tenant, serial, err)
	}
	return d, nil
}

// Claim registers serial for tenant.
func (r *Registry) Claim(ctx context.Context, tenant, serial, model string) error {
	ns := r.ns(tenant)
	key := deviceKey(tenant, serial)
	if _, err := ns.Get(ctx, key); err == nil {
		return &ClaimError{Serial: serial, Err: errEnrolled}
	} else if !kvstore.IsNotFound(err) {
		return &ClaimError{Serial: serial, Err: err}
	}
	d := Device{Tenant: tenant, Serial: serial, Model: model, EnrolledAt: time.Now().UTC()}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if mw, ok := ns.(kvstore.MetaWriter); ok {
		return mw.PutMeta(ctx, key, b, summaryMeta(d), 0) // EXPECT kvrace
	}
	return ns.Put(ctx, key, b, 0) // EXPECT kvrace
}

func summaryMeta(d Device) map[string]any {
	return map[string]any{"serial": d.Serial, "model": d.Model, "firmware": d.Firmware}
}

// ReportFirmware records the firmware version a device reported. The write
// happens in the background so that check-ins stay fast.
func (r *Registry) ReportFirmware(ctx context.Context, tenant, serial, version string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		ns := r.ns(tenant)
		key := deviceKey(tenant, serial)
		raw, err := ns.Get(ctx, key)
		if err != nil {
			r.log.Printf("firmware report %s/%s: %v", tenant, serial, err)
			return
		}
		var d Device
		if err := json.Unmarshal(raw, &d); err != nil {
			r.log.Printf("firmware report %s/%s: decode: %v", tenant, serial, err)
			return
		}
		if d.Firmware == version {
			return
		}
		d.Firmware, d.FirmwareAt = version, time.Now().UTC()
		b, _ := json.Marshal(d)
		if err := ns.Put(ctx, key, b, 0); err != nil { // EXPECT kvrace
			r.log.Printf("firmware report %s/%s: %v", tenant, serial, err)
		}
	}()
}

// Seen notes that a device was heard from at t.
func (r *Registry) Seen(tenant, serial string, t time.Time) {
	r.lastSeen.Set(keys.LastSeen.Key(tenant, serial), []byte(t.UTC().Format(time.RFC3339)))
}

// Audit appends one line to the device's audit trail.
func (r *Registry) Audit(ctx context.Context, tenant, serial, line string) error {
	ns := r.ns(tenant)
	key := path.Join(keys.Audit.Prefix(), tenant, serial)
	old, err := ns.Get(ctx, key)
	if err != nil && !kvstore.IsNotFound(err) {
		return fmt.Errorf("audit %s: %w", serial, err)
	}
	var b strings.Builder
	b.Write(old)
	fmt.Fprintf(&b, "%s %s\n", time.Now().UTC().Format(time.RFC3339), line)
	return ns.Put(ctx, key, []byte(b.String()), 90*24*time.Hour) // EXPECT kvrace
}

// Page returns one page of device summaries and the cursor of the next
// page, which is empty when there are no more.
func (r *Registry) Page(ctx context.Context, tenant, cursor string, limit int) ([]Summary, string, error) {
	limit = min(max(limit, 10), 1000)
	page, err := r.ns(tenant).ListPage(ctx, kvstore.Query{Prefix: keys.Device.Scan(tenant), Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", fmt.Errorf("list devices of %s: %w", tenant, err)
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		s := Summary{Serial: path.Base(k.Name)}
		if m, ok := k.Metadata.(map[string]any); ok {
			s.Model, _ = m["model"].(string)
			s.Firmware, _ = m["firmware"].(string)
		}
		out = append(out, s)
	}
	return out, page.Cursor, nil
}

// Inventory returns the full records of every device of tenant, for the
// support console's CSV download.
func (r *Registry) Inventory(ctx context.Context, tenant string) ([]Device, error) {
	ns := r.ns(tenant)
	next := kvstore.Pager(ctx, ns, keys.Device.Scan(tenant), 1000)
	var out []Device
	for {
		batch, err := next() // EXPECT kvlist
		if err != nil {
			return out, err
		}
		if batch == nil {
			return out, nil
		}
		for _, k := range batch {
			raw, err := ns.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return out, err
			}
			var d Device
			if err := json.Unmarshal(raw, &d); err != nil {
				return out, fmt.Errorf("inventory %s: %w", k.Name, err)
			}
			out = append(out, d)
		}
	}
}

// Decommission removes serials and their audit trails.
func (r *Registry) Decommission(ctx context.Context, tenant string, serials ...string) error {
	ns := r.ns(tenant)
	names := make([]string, 0, 2*len(serials))
	for _, s := range serials {
		names = append(names, deviceKey(tenant, s), path.Join(keys.Audit.Prefix(), tenant, s))
	}
	if bd, ok := ns.(kvstore.BulkDeleter); ok {
		return bd.DeleteAll(ctx, names...)
	}
	return forEach(ctx, names, ns.Delete)
}

func forEach(ctx context.Context, names []string, fn func(context.Context, string) error) error {
	var errs []error
	for _, n := range names {
		if err := fn(ctx, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
