// Package events holds fleetd's NATS subscribers: device heartbeats, raw
// alerts, operator snoozes and the JetStream consumer of firmware reports.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/fleet"
	"github.com/fleetwire/snipe/internal/kvstore"
)

// maxHistoryBytes bounds a device's alert history.
const maxHistoryBytes = 8 << 10

// onlineWindow is how long a device counts as online after a heartbeat.
const onlineWindow = 45 * time.Second

// handlerTimeout bounds the KV work of one message.
const handlerTimeout = 5 * time.Second

// Subscribers handles core NATS subjects.
type Subscribers struct {
	store *kvstore.Store
	cfg   *config.Config
	nc    *nats.Conn
	log   *slog.Logger

	mu    sync.Mutex
	beats map[string]int
}

func NewSubscribers(store *kvstore.Store, cfg *config.Config, nc *nats.Conn, log *slog.Logger) *Subscribers {
	return &Subscribers{store: store, cfg: cfg, nc: nc, log: log, beats: map[string]int{}}
}

// Start registers the subscriptions.
func (s *Subscribers) Start() ([]*nats.Subscription, error) {
	var subs []*nats.Subscription
	hb, err := s.nc.QueueSubscribe("devices.*.heartbeat", s.cfg.NATS.Queue, s.onHeartbeat)
	if err != nil {
		return nil, err
	}
	subs = append(subs, hb)
	al, err := s.nc.QueueSubscribe("fleet.alerts.raw", s.cfg.NATS.Queue, s.onAlert)
	if err != nil {
		return subs, err
	}
	subs = append(subs, al)
	sn, err := s.nc.Subscribe("fleet.alerts.snooze", s.onSnooze)
	if err != nil {
		return subs, err
	}
	return append(subs, sn), nil
}

type heartbeat struct {
	Uptime   int64  `json:"uptime"`
	Firmware string `json:"firmware"`
	RSSI     int    `json:"rssi"`
}

func (s *Subscribers) onHeartbeat(m *nats.Msg) {
	parts := strings.Split(m.Subject, ".")
	if len(parts) != 3 {
		return
	}
	dev := parts[1]
	var hb heartbeat
	if err := json.Unmarshal(m.Data, &hb); err != nil {
		s.log.Warn("bad heartbeat", "device", dev, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
	defer cancel()

	seen, _ := json.Marshal(map[string]any{"at": time.Now().UTC(), "firmware": hb.Firmware, "rssi": hb.RSSI})
	if err := s.store.PutCacheEntry(ctx, fleet.DeviceKey(dev)+":online", seen, onlineWindow); err != nil {
		s.log.Warn("lastseen not stored", "device", dev, "err", err)
	}

	s.mu.Lock()
	s.beats[dev]++
	n := s.beats[dev]
	s.mu.Unlock()
	if n%20 == 0 {
		if err := s.store.Put(ctx, "heartbeat:hits:"+dev, []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
			s.log.Warn("heartbeat tally not stored", "device", dev, "err", err)
		}
	}
}

func (s *Subscribers) onAlert(m *nats.Msg) {
	var a fleet.Alert
	if err := json.Unmarshal(m.Data, &a); err != nil || a.Fingerprint == "" {
		s.log.Warn("bad alert", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
	defer cancel()

	key := fleet.AlertDedupKey(a.Fingerprint)
	if _, err := s.store.Get(ctx, key); err == nil {
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		s.log.Warn("dedup lookup failed", "err", err)
		return
	}
	if err := s.store.Put(ctx, key, m.Data, s.cfg.Alerts.DedupWindow); err != nil { // EXPECT kvrace
		s.log.Warn("dedup record not stored", "err", err)
	}

	histKey := fleet.AlertHistoryKey(a.Device)
	hist, err := s.store.Get(ctx, histKey)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		s.log.Warn("history lookup failed", "err", err)
		return
	}
	updated := string(hist) + a.RaisedAt.UTC().Format(time.RFC3339) + " " + a.Severity + " " + a.Rule + "\n"
	if len(updated) > maxHistoryBytes {
		updated = updated[len(updated)-maxHistoryBytes:]
	}
	if err := s.store.Put(ctx, histKey, []byte(updated), s.cfg.Alerts.HistoryTTL); err != nil { // EXPECT kvrace
		s.log.Warn("history not stored", "err", err)
	}
	if err := s.nc.Publish(s.cfg.Alerts.DigestSubject, m.Data); err != nil {
		s.log.Warn("digest publish failed", "err", err)
	}
}

type snooze struct {
	Device   string `json:"device"`
	Rule     string `json:"rule"`
	Operator string `json:"operator"`
}

// onSnooze silences one rule on one device for the configured window.
func (s *Subscribers) onSnooze(m *nats.Msg) {
	var sn snooze
	if err := json.Unmarshal(m.Data, &sn); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
	defer cancel()
	window := s.cfg.Alerts.SnoozeWindow
	key := "alert:snooze:" + sn.Device + ":" + sn.Rule
	if err := s.store.Put(ctx, key, m.Data, max(2*window, 5*time.Second)); err != nil { // EXPECT kvttl
		s.log.Warn("snooze not stored", "err", err)
		return
	}
	if m.Reply != "" {
		_ = m.Respond([]byte("ok"))
	}
}
