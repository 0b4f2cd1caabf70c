// Package rollout drives over-the-air update campaigns: it takes the
// campaign lock, pins devices wave by wave and records progress for the
// console.
package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"dowitcher/internal/device"
	"dowitcher/internal/kvstore"
)

// ErrLocked is returned when another operator runs the campaign.
var ErrLocked = errors.New("rollout: campaign is locked by another run")

// Campaign is an OTA campaign as configured in the console.
type Campaign struct {
	ID        string        `json:"id"`
	Fleet     string        `json:"fleet"`
	Channel   string        `json:"channel"`
	Version   string        `json:"version"`
	Waves     [][]string    `json:"waves"`
	Cadence   time.Duration `json:"cadence"`
	WindowEnd time.Time     `json:"window_end"`
}

// Halt stops a campaign between waves.
type Halt struct {
	CampaignID string    `json:"campaign"`
	Reason     string    `json:"reason"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// Approval records a second operator's sign-off on a campaign.
type Approval struct {
	CampaignID string    `json:"campaign"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// Manager runs campaigns.
type Manager struct {
	kv      *kvstore.Store
	devices *device.Registry
	window  time.Duration
	log     *slog.Logger
}

// NewManager returns a manager whose locks last window.
func NewManager(kv *kvstore.Store, devices *device.Registry, window time.Duration, log *slog.Logger) *Manager {
	return &Manager{kv: kv, devices: devices, window: window, log: log}
}

func campaignKey(id, leaf string) string { return kvstore.Join("campaign", id, leaf) }

// Record stores one of the campaign documents under its own key.
func (m *Manager) Record(ctx context.Context, rec any) error {
	var key string
	var ttl time.Duration
	switch v := rec.(type) {
	case *Campaign:
		key = campaignKey(v.ID, "spec")
	case *Halt:
		key = campaignKey(v.CampaignID, "halt")
		ttl = 7 * 24 * time.Hour
	case *Approval:
		key = campaignKey(v.CampaignID, "approval/"+v.By)
	default:
		return fmt.Errorf("rollout: cannot record %T", rec)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if ttl > 0 {
		return m.kv.PutTTL(ctx, key, b, ttl)
	}
	return m.kv.Put(ctx, key, b)
}

// Load returns the stored campaign spec.
func (m *Manager) Load(ctx context.Context, id string) (*Campaign, error) {
	raw, err := m.kv.Get(ctx, campaignKey(id, "spec"))
	if err != nil {
		return nil, err
	}
	var c Campaign
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("campaign %s: %w", id, err)
	}
	return &c, nil
}

// Halted reports whether a halt was recorded for the campaign.
func (m *Manager) Halted(ctx context.Context, id string) (bool, error) {
	_, found, err := m.kv.Lookup(ctx, campaignKey(id, "halt"))
	return found, err
}

// Acquire takes the campaign lock for holder, waiting for a running holder
// to finish for a few rounds.
func (m *Manager) Acquire(ctx context.Context, id, holder string) error {
	key := campaignKey(id, "lock")
	wait := 2 * time.Second
	for attempt := 0; attempt < 5; attempt++ {
		cur, found, err := m.kv.Lookup(ctx, key)
		if err != nil {
			return err
		}
		if !found || string(cur) == holder {
			return m.kv.PutLease(ctx, key, []byte(holder), m.window) // EXPECT kvrace
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
			wait *= 2
		}
	}
	return ErrLocked
}

// Run executes a campaign wave by wave.
func (m *Manager) Run(ctx context.Context, c *Campaign, holder string) (done int, err error) {
	if err := m.Acquire(ctx, c.ID, holder); err != nil {
		return 0, err
	}
	defer func() {
		if derr := m.kv.Delete(context.WithoutCancel(ctx), campaignKey(c.ID, "lock")); derr != nil {
			err = errors.Join(err, derr)
		}
	}()
	defer func() {
		stamp := fmt.Sprintf("%d %d %v", time.Now().Unix(), done, err)
		if serr := m.kv.Put(context.WithoutCancel(ctx), campaignKey(c.ID, "last_run"), []byte(stamp)); serr != nil {
			m.log.Warn("rollout: last run stamp", "campaign", c.ID, "err", serr)
		}
	}()

	if err := errors.Join(m.recordWindow(ctx, c), m.Announce(ctx, c), m.Beacon(ctx, c)); err != nil {
		return 0, err
	}
	for i, wave := range c.Waves {
		if halted, err := m.Halted(ctx, c.ID); err != nil || halted {
			return done, err
		}
		n, err := m.runWave(ctx, c, i, wave)
		done += n
		if err != nil {
			return done, fmt.Errorf("wave %d: %w", i, err)
		}
		if err := m.kv.Put(ctx, campaignKey(c.ID, "wave"), []byte(strconv.Itoa(i+1))); err != nil { // DEBATABLE kvhotkey
			return done, err
		}
		if i == len(c.Waves)-1 {
			break
		}
		select {
		case <-ctx.Done():
			return done, ctx.Err()
		case <-time.After(c.Cadence):
		}
	}
	return done, nil
}

// runWave pins the devices of one wave and reports per-device progress.
func (m *Manager) runWave(ctx context.Context, c *Campaign, idx int, serials []string) (int, error) {
	if err := m.devices.PinFleet(ctx, c.Fleet, c.Channel, c.Version, serials); err != nil {
		return 0, err
	}
	progress := campaignKey(c.ID, "progress")
	for i, s := range serials {
		line := fmt.Sprintf("wave=%d device=%s n=%d/%d", idx, s, i+1, len(serials))
		if err := m.kv.Put(ctx, progress, []byte(line)); err != nil { // EXPECT kvhotkey
			return i, err
		}
	}
	return len(serials), nil
}

// recordWindow publishes the maintenance window so devices can defer
// reboots until it closes.
func (m *Manager) recordWindow(ctx context.Context, c *Campaign) error {
	val := []byte(c.WindowEnd.UTC().Format(time.RFC3339))
	return m.kv.PutTTL(ctx, campaignKey(c.ID, "window"), val, time.Until(c.WindowEnd)) // EXPECT kvttl
}

// Announce tells devices of the fleet that a campaign is starting. The
// notice stays up until the window closes, and at least a minute.
func (m *Manager) Announce(ctx context.Context, c *Campaign) error {
	ttl := max(time.Until(c.WindowEnd), kvstore.MinTTL)
	return m.kv.PutTTL(ctx, kvstore.Join("fleet", c.Fleet, "notice"), []byte(c.ID), ttl)
}

// Beacon publishes that a campaign is alive so that the console can show a
// spinner; it expires shortly after the runner stops.
func (m *Manager) Beacon(ctx context.Context, c *Campaign) error {
	stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	return m.kv.PutTTL(ctx, campaignKey(c.ID, "beacon"), stamp, max(2*c.Cadence, 5*time.Second)) // EXPECT kvttl
}
