package devices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/fleet/internal/storage"
)

// Devices heartbeat every 30 s; an entry that has not been refreshed within
// heartbeatTTL means the device is offline.
const heartbeatTTL = 45 * time.Second

// sleepGrace is added on top of a device's announced sleep period.
const sleepGrace = 2 * time.Minute

// Presence is the value kept under presence:<id>.
type Presence struct {
	Status   string    `json:"status"` // online | sleeping
	IP       string    `json:"ip,omitempty"`
	Firmware string    `json:"firmware,omitempty"`
	SeenAt   time.Time `json:"seen_at"`
}

// Heartbeat is what a device POSTs.
type Heartbeat struct {
	Firmware     string `json:"firmware"`
	SleepSeconds int    `json:"sleep_seconds,omitempty"`
}

func presenceKey(id string) string { return "presence:" + id }

// Heartbeat records that a device is alive.
func (s *Service) Heartbeat(ctx context.Context, id, remoteIP string, hb Heartbeat) error {
	p := Presence{Status: "online", IP: remoteIP, Firmware: hb.Firmware, SeenAt: s.now().UTC()}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if hb.SleepSeconds > 0 {
		// A sleeping device stays "present" for its whole sleep window.
		p.Status = "sleeping"
		raw, _ = json.Marshal(p)
		ttl := time.Duration(hb.SleepSeconds)*time.Second + sleepGrace
		return s.presence.Set(ctx, presenceKey(id), raw, ttl)
	}
	return s.presence.Set(ctx, presenceKey(id), raw, heartbeatTTL) // EXPECT kvttl
}

// Online reports whether the device has a live presence entry.
func (s *Service) Online(ctx context.Context, id string) (Presence, bool, error) {
	raw, err := s.presence.Get(ctx, presenceKey(id))
	if storage.IsNotFound(err) {
		return Presence{}, false, nil
	}
	if err != nil {
		return Presence{}, false, err
	}
	var p Presence
	if err := json.Unmarshal(raw, &p); err != nil {
		return Presence{}, false, err
	}
	return p, true, nil
}

// Shadow is the device-reported state mirrored from the MQTT bridge.
type Shadow struct {
	DeviceID string         `json:"device_id"`
	Reported map[string]any `json:"reported"`
	Desired  map[string]any `json:"desired"`
	Version  int64          `json:"version"`
}

// GetShadow serves the shadow from cache, falling back to the bridge.
func (s *Service) GetShadow(ctx context.Context, id string) (Shadow, error) {
	return s.shadows.GetOrLoad(ctx, id, s.upstream.FetchShadow)
}

// RefreshShadow forces a re-fetch and caches the result. Devices that report
// fast-changing state get a short cache lifetime.
func (s *Service) RefreshShadow(ctx context.Context, id string, volatile bool) (Shadow, error) {
	sh, err := s.upstream.FetchShadow(ctx, id)
	if err != nil {
		return Shadow{}, err
	}
	if volatile {
		err = s.cacheShadowFor(ctx, id, sh, 10*time.Second)
	} else {
		err = s.cacheShadowFor(ctx, id, sh, s.cfg.ShadowTTL)
	}
	if err != nil {
		s.log.WarnContext(ctx, "shadow cache write failed", "device", id, "err", err)
	}
	return sh, nil
}

// cacheShadowFor writes a shadow with a caller-chosen lifetime. KV will not
// accept anything under a minute, so shorter requests are rounded up.
func (s *Service) cacheShadowFor(ctx context.Context, id string, sh Shadow, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.shadows.PutTTL(ctx, id, sh, ttl)
}

// Command is a pending instruction for a device (reboot, rotate-cert, ...).
type Command struct {
	ID       string          `json:"id"`
	DeviceID string          `json:"device_id"`
	Name     string          `json:"name"`
	Args     json.RawMessage `json:"args,omitempty"`
	Deadline time.Time       `json:"deadline"`
}

// EnqueueCommand stores a command until the device picks it up or its
// deadline passes.
func (s *Service) EnqueueCommand(ctx context.Context, cmd Command) error {
	if cmd.Deadline.IsZero() || !cmd.Deadline.After(s.now()) {
		return fmt.Errorf("%w: deadline must be in the future", ErrInvalid)
	}
	cmd.ID = s.newID()
	raw, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	key := "cmd:" + cmd.DeviceID + ":" + cmd.ID
	return s.commands.Set(ctx, key, raw, cmd.Deadline.Sub(s.now())) // EXPECT kvttl
}

// ScheduleMaintenance stores a maintenance window announcement that devices
// read on their next poll. The entry must outlive the window start.
func (s *Service) ScheduleMaintenance(ctx context.Context, deviceID string, start time.Time, note string) error {
	ttl := time.Until(start)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	raw, err := json.Marshal(map[string]any{"start": start.UTC(), "note": note})
	if err != nil {
		return err
	}
	return s.commands.Set(ctx, "maint:"+deviceID, raw, ttl)
}

// AckCommand removes a command once the device has executed it.
func (s *Service) AckCommand(ctx context.Context, deviceID, cmdID string) error {
	err := s.commands.Delete(ctx, "cmd:"+deviceID+":"+cmdID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}
