// Package devices is the device registry: registration, labels, retirement
// and listing.
package devices

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"example.com/cobalt/internal/storage"
	"example.com/cobalt/internal/storage/typed"
)

// ID identifies a device.
type ID string

// Errors returned by the service.
var (
	ErrUnknownDevice   = errors.New("devices: unknown device")
	ErrSerialTaken     = errors.New("devices: serial number already registered")
	ErrVersionMismatch = errors.New("devices: version mismatch")
	ErrRetired         = errors.New("devices: device is retired")
)

var serialPattern = regexp.MustCompile(`^[A-Z0-9]{8,24}$`)

// Device is the registry record.
type Device struct {
	ID        ID                `json:"id"`
	Serial    string            `json:"serial"`
	Model     string            `json:"model"`
	Owner     string            `json:"owner"`
	Firmware  string            `json:"firmware"`
	Labels    map[string]string `json:"labels,omitempty"`
	Version   int64             `json:"version"`
	Retired   bool              `json:"retired,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// Validate implements typed.Validator.
func (d Device) Validate() error {
	if d.ID == "" || d.Model == "" || !serialPattern.MatchString(d.Serial) {
		return fmt.Errorf("device %q: id, model and a well-formed serial are required", d.ID)
	}
	if len(d.Labels) > 32 {
		return errors.New("too many labels")
	}
	return nil
}

// RegisterRequest is the input to Register.
type RegisterRequest struct {
	Serial   string
	Model    string
	Owner    string
	Firmware string
}

// Summary is what listings show, taken from key metadata.
type Summary struct {
	ID    ID     `json:"id"`
	Model string `json:"model"`
	Owner string `json:"owner"`
}

// Service manages devices.
type Service struct {
	raw     storage.Store
	devices *typed.Store[ID, Device]
	now     func() time.Time
	log     *slog.Logger
}

const (
	devicePrefix = "device:"
	serialPrefix = "serial:"
	tombstoneTTL = 30 * 24 * time.Hour
)

// NewService returns a device registry over st.
func NewService(st storage.Store, log *slog.Logger) *Service {
	ds := typed.New[ID, Device](st, devicePrefix, 0).WithMetadata(func(d Device) map[string]any {
		return map[string]any{"model": d.Model, "owner": d.Owner}
	})
	return &Service{raw: st, devices: ds, now: time.Now, log: log}
}

func newID() ID {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return ID("dev_" + hex.EncodeToString(b[:]))
}

// Register claims the serial number and creates the device record.
func (s *Service) Register(ctx context.Context, req RegisterRequest) (Device, error) {
	if !serialPattern.MatchString(req.Serial) {
		return Device{}, fmt.Errorf("devices: serial %q is malformed", req.Serial)
	}
	claim := serialPrefix + req.Serial
	switch _, err := s.raw.Get(ctx, claim); {
	case err == nil:
		return Device{}, ErrSerialTaken
	case !errors.Is(err, storage.ErrNotFound):
		return Device{}, err
	}
	id := newID()
	if err := s.raw.Put(ctx, claim, []byte(id), storage.PutOptions{}); err != nil { // EXPECT kvrace
		return Device{}, err
	}
	now := s.now().UTC()
	d := Device{
		ID: id, Serial: req.Serial, Model: req.Model, Owner: req.Owner,
		Firmware: req.Firmware, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.devices.Put(ctx, id, d); err != nil {
		return Device{}, err
	}
	s.log.InfoContext(ctx, "device registered", "device", id, "model", d.Model)
	return d, nil
}

// Get returns one device.
func (s *Service) Get(ctx context.Context, id ID) (Device, error) {
	d, err := s.devices.Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return Device{}, ErrUnknownDevice
	}
	if err != nil {
		return Device{}, err
	}
	if d.Retired {
		return Device{}, ErrRetired
	}
	return d, nil
}

// UpdateLabels merges labels into the device when the caller's version
// matches the stored one.
func (s *Service) UpdateLabels(ctx context.Context, id ID, version int64, labels map[string]string) (Device, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return Device{}, err
	}
	if d.Version != version {
		return Device{}, fmt.Errorf("%w: have %d, want %d", ErrVersionMismatch, d.Version, version)
	}
	if d.Labels == nil {
		d.Labels = map[string]string{}
	}
	for k, v := range labels {
		if v == "" {
			delete(d.Labels, k)
			continue
		}
		d.Labels[k] = v
	}
	d.Version++
	d.UpdatedAt = s.now().UTC()
	if err := s.devices.Put(ctx, id, d); err != nil { // EXPECT kvrace
		return Device{}, err
	}
	return d, nil
}

// Retire soft-deletes a device: the record is replaced by a tombstone that
// expires after a month, and the serial number is released.
func (s *Service) Retire(ctx context.Context, id ID, by string) error {
	d, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.raw.Delete(ctx, serialPrefix+d.Serial); err != nil {
		return err
	}
	now := s.now().UTC()
	body, _ := json.Marshal(map[string]any{"retired": true, "retired_at": now, "by": by})
	return s.raw.Put(ctx, s.devices.Key(id), body, storage.PutOptions{
		TTL:      tombstoneTTL,
		Metadata: map[string]any{"retired": true, "retired_at": now.Unix()},
	})
}

// List returns one page of device summaries and the cursor for the next one.
func (s *Service) List(ctx context.Context, cursor string, limit int) ([]Summary, string, error) {
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	_, page, err := s.devices.Page(ctx, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	return summaries(page.Entries), page.Cursor, nil
}

func summaries(entries []storage.Entry) []Summary {
	out := make([]Summary, 0, len(entries))
	for _, e := range entries {
		if retired, _ := e.Metadata["retired"].(bool); retired {
			continue
		}
		model, _ := e.Metadata["model"].(string)
		owner, _ := e.Metadata["owner"].(string)
		out = append(out, Summary{ID: ID(e.Key[len(devicePrefix):]), Model: model, Owner: owner})
	}
	return out
}
