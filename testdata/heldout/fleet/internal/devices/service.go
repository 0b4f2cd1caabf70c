// Package devices owns the device registry: registration, metadata, tags and
// the desired-config document that devices poll for.
package devices

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/storage"
)

var (
	ErrSerialTaken = errors.New("devices: serial number already registered")
	ErrNotFound    = errors.New("devices: not found")
	ErrConflict    = errors.New("devices: version conflict")
	ErrInvalid     = errors.New("devices: invalid request")
)

// Device is the registry record.
type Device struct {
	ID          string            `json:"id"`
	Serial      string            `json:"serial"`
	Name        string            `json:"name"`
	Model       string            `json:"model"`
	Owner       string            `json:"owner"`
	Firmware    string            `json:"firmware,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Config      map[string]string `json:"config,omitempty"`
	RebootCount int               `json:"reboot_count"`
	Version     int               `json:"version"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// RegisterRequest is what the provisioning flow sends for a new device.
type RegisterRequest struct {
	Serial string `json:"serial"`
	Name   string `json:"name"`
	Model  string `json:"model"`
	Owner  string `json:"owner"`
}

// ShadowSource is the upstream (the MQTT bridge) that holds reported state.
type ShadowSource interface {
	FetchShadow(ctx context.Context, deviceID string) (Shadow, error)
}

// Service implements the device use cases. It only knows the storage ports.
type Service struct {
	devices  *repo.Repo[Device]
	shadows  *repo.Repo[Shadow]
	serials  storage.Store // serial number -> device ID
	presence storage.Store
	commands storage.Store
	upstream ShadowSource

	cfg   Config
	now   func() time.Time
	newID func() string
	log   *slog.Logger
}

// Config holds the tunables for Service.
type Config struct {
	// ShadowTTL is how long a cached shadow is served before re-fetching.
	ShadowTTL time.Duration
	// MaxTags caps Device.Tags.
	MaxTags int
}

// Deps groups the constructor dependencies, wired in cmd/fleet-api.
type Deps struct {
	Registry storage.Store
	Presence storage.Store
	Commands storage.Store
	Upstream ShadowSource
	Logger   *slog.Logger
}

// NewService builds a Service.
func NewService(d Deps, cfg Config) *Service {
	if cfg.MaxTags == 0 {
		cfg.MaxTags = 32
	}
	if cfg.ShadowTTL == 0 {
		cfg.ShadowTTL = 5 * time.Minute
	}
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Service{
		devices:  repo.NewRepo[Device](d.Registry, "device:", repo.WithLogger(log)),
		shadows:  repo.NewRepo[Shadow](d.Registry, "shadow:", repo.WithTTL(cfg.ShadowTTL), repo.WithLogger(log)),
		serials:  d.Registry,
		presence: d.Presence,
		commands: d.Commands,
		upstream: d.Upstream,
		cfg:      cfg,
		now:      time.Now,
		newID:    randomID,
		log:      log,
	}
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func serialKey(serial string) string {
	return "serial:" + strings.ToUpper(strings.TrimSpace(serial))
}

// Register creates a device and claims its serial number.
func (s *Service) Register(ctx context.Context, req RegisterRequest) (Device, error) {
	if req.Serial == "" || req.Owner == "" {
		return Device{}, fmt.Errorf("%w: serial and owner are required", ErrInvalid)
	}
	sk := serialKey(req.Serial)
	if _, err := s.serials.Get(ctx, sk); err == nil {
		return Device{}, ErrSerialTaken
	} else if !storage.IsNotFound(err) {
		return Device{}, fmt.Errorf("check serial: %w", err)
	}

	now := s.now().UTC()
	d := Device{
		ID:        s.newID(),
		Serial:    req.Serial,
		Name:      req.Name,
		Model:     req.Model,
		Owner:     req.Owner,
		Version:   1,
		CreatedAt: now,
		UpdatedAt: now,
	}
	if err := s.serials.Set(ctx, sk, []byte(d.ID), 0); err != nil { // EXPECT kvrace
		return Device{}, fmt.Errorf("claim serial: %w", err)
	}
	// A brand-new ID: nothing to race with.
	if err := s.devices.Put(ctx, d.ID, d); err != nil {
		return Device{}, fmt.Errorf("store device: %w", err)
	}
	s.log.InfoContext(ctx, "device registered", "id", d.ID, "serial", d.Serial, "owner", d.Owner)
	return d, nil
}

// Get returns a device by ID.
func (s *Service) Get(ctx context.Context, id string) (Device, error) {
	d, err := s.devices.Get(ctx, id)
	if storage.IsNotFound(err) {
		return Device{}, ErrNotFound
	}
	return d, err
}

// AddTags adds tags to a device, ignoring duplicates.
func (s *Service) AddTags(ctx context.Context, id string, tags ...string) (Device, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return Device{}, err
	}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !slices.Contains(d.Tags, t) {
			d.Tags = append(d.Tags, t)
		}
	}
	if len(d.Tags) > s.cfg.MaxTags {
		return Device{}, fmt.Errorf("%w: at most %d tags", ErrInvalid, s.cfg.MaxTags)
	}
	d.UpdatedAt = s.now().UTC()
	if err := s.devices.Put(ctx, id, d); err != nil { // EXPECT kvrace
		return Device{}, err
	}
	return d, nil
}

// TagMany applies one tag to many devices concurrently (used by the console's
// "tag selection" action).
func (s *Service) TagMany(ctx context.Context, ids []string, tag string) error {
	apply := func(id string) error {
		d, err := s.devices.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("device %s: %w", id, err)
		}
		if slices.Contains(d.Tags, tag) {
			return nil
		}
		d.Tags = append(d.Tags, tag)
		d.UpdatedAt = s.now().UTC()
		return s.devices.Put(ctx, id, d) // EXPECT kvrace
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	sem := make(chan struct{}, 8)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := apply(id); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// PatchConfig merges patch into the device's desired config. Empty values
// remove the key.
func (s *Service) PatchConfig(ctx context.Context, id string, patch map[string]string) (Device, error) {
	return s.devices.Update(ctx, id, func(d *Device) error {
		if d.ID == "" {
			return ErrNotFound
		}
		if d.Config == nil {
			d.Config = make(map[string]string, len(patch))
		}
		for k, v := range patch {
			if v == "" {
				delete(d.Config, k)
				continue
			}
			d.Config[k] = v
		}
		d.UpdatedAt = s.now().UTC()
		return nil
	})
}

// RecordReboot is called by the telemetry ingester when a device reports a
// cold boot.
func (s *Service) RecordReboot(ctx context.Context, id string) error {
	d, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	d.RebootCount++
	d.UpdatedAt = s.now().UTC()
	return s.devices.Put(ctx, id, d) // EXPECT kvcounter|kvrace
}

// Replace overwrites a device with the caller's full representation, keeping
// the server-owned fields.
func (s *Service) Replace(ctx context.Context, d Device) (Device, error) {
	cur, err := s.Get(ctx, d.ID)
	if err != nil {
		return Device{}, err
	}
	if d.Version != cur.Version {
		return Device{}, ErrConflict
	}
	d.Serial = cur.Serial
	d.CreatedAt = cur.CreatedAt
	d.Version = cur.Version + 1
	d.UpdatedAt = s.now().UTC()
	if err := s.devices.Put(ctx, d.ID, d); err != nil { // EXPECT kvrace
		return Device{}, err
	}
	return d, nil
}

// Decommission removes the device and frees its serial number.
func (s *Service) Decommission(ctx context.Context, id string) error {
	d, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.devices.Delete(ctx, id); err != nil {
		return err
	}
	if err := s.serials.Delete(ctx, serialKey(d.Serial)); err != nil {
		return err
	}
	return s.presence.Delete(ctx, presenceKey(id))
}

// Import writes devices exported from the old registry. IDs are preserved and
// existing records are overwritten wholesale; nothing is read first.
func (s *Service) Import(ctx context.Context, batch []Device) error {
	for _, d := range batch {
		if d.ID == "" {
			return fmt.Errorf("%w: device without id", ErrInvalid)
		}
		if d.CreatedAt.IsZero() {
			d.CreatedAt = s.now().UTC()
		}
		if err := s.devices.Put(ctx, d.ID, d); err != nil {
			return fmt.Errorf("import %s: %w", d.ID, err)
		}
	}
	return nil
}
