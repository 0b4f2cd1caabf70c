// Package heartbeat records device heartbeats. Edge Workers serve the
// per-device status key to dashboards and use the presence key to decide
// whether a device is online.
package heartbeat

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/store"
)

// Config controls how long heartbeat keys live.
type Config struct {
	// StatusTTL is how long a status key survives without a new heartbeat.
	StatusTTL time.Duration
	// Interval is the heartbeat interval devices are configured with.
	Interval time.Duration
}

// Status is the last reported device state.
type Status struct {
	DeviceID string            `json:"device_id"`
	Firmware string            `json:"firmware"`
	Uptime   int64             `json:"uptime_s"`
	Battery  float64           `json:"battery,omitempty"`
	Extra    map[string]string `json:"extra,omitempty"`
	SeenAt   time.Time         `json:"seen_at"`
}

// Presence is the small record the edge uses for online/offline.
type Presence struct {
	Online bool      `json:"online"`
	Since  time.Time `json:"since"`
}

// Recorder writes heartbeat state.
type Recorder struct {
	s        store.Store
	cfg      Config
	presence *repo.Repo[Presence]
}

// NewRecorder returns a Recorder.
func NewRecorder(s store.Store, cfg Config) *Recorder {
	return &Recorder{
		s:        s,
		cfg:      cfg,
		presence: repo.New[Presence](s, "presence:", repo.WithTTL(45*time.Second)), // EXPECT kvttl
	}
}

// statusTTL never returns less than a minute.
func statusTTL(d time.Duration) time.Duration {
	if d < time.Minute {
		d = time.Minute
	}
	return d
}

// Record stores st as the device's latest status.
func (r *Recorder) Record(ctx context.Context, st Status) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := r.s.Put(ctx, "status:"+st.DeviceID, b, store.WithTTL(statusTTL(r.cfg.StatusTTL))); err != nil {
		return err
	}
	if err := r.presence.Save(ctx, st.DeviceID, Presence{Online: true, Since: st.SeenAt}); err != nil {
		return err
	}
	return r.bumpCount(ctx, st.DeviceID)
}

// bumpCount maintains the lifetime heartbeat count shown on the device page.
func (r *Recorder) bumpCount(ctx context.Context, deviceID string) error {
	key := "hb:count:" + deviceID
	var n int64
	if b, err := r.s.Get(ctx, key); err == nil {
		n, _ = strconv.ParseInt(string(b), 10, 64)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	n++
	return r.s.Put(ctx, key, []byte(strconv.FormatInt(n, 10))) // EXPECT kvcounter
}

// MarkStale writes the "gone quiet" marker that expires when the device
// would have missed three heartbeats.
func (r *Recorder) MarkStale(ctx context.Context, deviceID string) error {
	return r.s.Put(ctx, "stale:"+deviceID, []byte("1"), store.WithTTL(max(3*r.cfg.Interval, 15*time.Second))) // EXPECT kvttl
}

// Lookup returns the last status of a device.
func (r *Recorder) Lookup(ctx context.Context, deviceID string) (Status, error) {
	var st Status
	b, err := r.s.Get(ctx, "status:"+deviceID)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}
