// Package device stores per-device documents: the configuration document
// the device pulls on boot, its firmware pin, labels and decommission
// records.
package device

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"dowitcher/internal/kvstore"
)

// Record is one of the documents kept per device. Each concrete type lives
// under its own leaf key below the device folder.
type Record interface {
	device() (fleet, serial string)
}

// ConfigDoc is the configuration a device applies at boot.
type ConfigDoc struct {
	Fleet     string            `json:"fleet"`
	Serial    string            `json:"serial"`
	Revision  int               `json:"revision"`
	Settings  map[string]string `json:"settings"`
	UpdatedAt time.Time         `json:"updated_at"`
	UpdatedBy string            `json:"updated_by"`
}

// FirmwarePin forces a device onto one firmware version.
type FirmwarePin struct {
	Fleet, Serial string
	Channel       string
	Version       string
}

// Decommission marks a device as retired.
type Decommission struct {
	Fleet, Serial string
	Reason        string
	At            time.Time
	By            string
}

// Labels are free-form operator tags.
type Labels struct {
	Fleet, Serial string
	Tags          []string
}

func (c *ConfigDoc) device() (string, string)    { return c.Fleet, c.Serial }
func (p *FirmwarePin) device() (string, string)  { return p.Fleet, p.Serial }
func (d *Decommission) device() (string, string) { return d.Fleet, d.Serial }
func (l *Labels) device() (string, string)       { return l.Fleet, l.Serial }

// Leaf names of the per-device keys.
const (
	leafConfig = "config"
	leafPin    = "pin"
	leafRetire = "retired"
	leafLabels = "labels"
)

// decommissionRetention keeps retirement records around for audits.
const decommissionRetention = 90 * 24 * time.Hour

// ErrNoPin is returned when a device follows its channel.
var ErrNoPin = errors.New("device: no firmware pin")

// Registry reads and writes device records in the devices namespace.
type Registry struct {
	kv *kvstore.Store
}

// NewRegistry returns a registry over kv.
func NewRegistry(kv *kvstore.Store) *Registry { return &Registry{kv: kv} }

// Save writes rec under its own key.
func (r *Registry) Save(ctx context.Context, rec Record) error {
	fleet, serial := rec.device()
	switch v := rec.(type) {
	case *ConfigDoc:
		v.UpdatedAt = time.Now().UTC()
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return r.kv.Put(ctx, kvstore.DeviceKey(fleet, serial, leafConfig), b)
	case *FirmwarePin:
		return r.kv.Put(ctx, kvstore.DeviceKey(fleet, serial, leafPin), []byte(v.Channel+"@"+v.Version))
	case *Decommission:
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(v); err != nil {
			return err
		}
		return r.kv.PutTTL(ctx, kvstore.DeviceKey(fleet, serial, leafRetire), buf.Bytes(), decommissionRetention)
	case *Labels:
		return r.kv.Put(ctx, kvstore.DeviceKey(fleet, serial, leafLabels), []byte(strings.Join(v.Tags, ",")))
	default:
		return fmt.Errorf("device: unsupported record %T", rec)
	}
}

// Config returns the configuration document of a device, or nil if it has
// none yet.
func (r *Registry) Config(ctx context.Context, fleet, serial string) (*ConfigDoc, error) {
	raw, found, err := r.kv.Lookup(ctx, kvstore.DeviceKey(fleet, serial, leafConfig))
	if err != nil || !found {
		return nil, err
	}
	var doc ConfigDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("device %s/%s: %w", fleet, serial, err)
	}
	return &doc, nil
}

// Pin returns the firmware pin of a device.
func (r *Registry) Pin(ctx context.Context, fleet, serial string) (*FirmwarePin, error) {
	raw, err := r.kv.Get(ctx, kvstore.DeviceKey(fleet, serial, leafPin))
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrNoPin
	}
	ch, ver, ok := strings.Cut(string(raw), "@")
	if !ok {
		return nil, fmt.Errorf("device %s/%s: malformed pin %q", fleet, serial, raw)
	}
	return &FirmwarePin{Fleet: fleet, Serial: serial, Channel: ch, Version: ver}, nil
}

// Retired returns the decommission record of a device, if any.
func (r *Registry) Retired(ctx context.Context, fleet, serial string) (*Decommission, bool, error) {
	raw, found, err := r.kv.Lookup(ctx, kvstore.DeviceKey(fleet, serial, leafRetire))
	if err != nil || !found {
		return nil, false, err
	}
	var d Decommission
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&d); err != nil {
		return nil, false, err
	}
	return &d, true, nil
}
