// Package telemetry turns MQTT telemetry and status messages into per-device
// records in KV: last-seen stamps, snapshots, a short ring of recent readings
// and an event log.
package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/tidewater-iot/cuckoo/internal/fleet"
	"github.com/tidewater-iot/cuckoo/internal/kvstore"
)

const (
	lastSeenTTL   = 15 * time.Minute
	snapshotTTL   = 24 * time.Hour
	recentWindow  = 20
	handlerBudget = 10 * time.Second
)

// Ingestor handles telemetry topics. It is safe for concurrent use by paho's
// router goroutines.
type Ingestor struct {
	ns     *kvstore.Namespace
	log    *slog.Logger
	ackWin time.Duration

	mu     sync.Mutex
	counts map[string]int // messages per device since the last flush
}

// New returns an Ingestor writing to ns. ackWindow is the command publisher's
// redelivery interval.
func New(ns *kvstore.Namespace, log *slog.Logger, ackWindow time.Duration) *Ingestor {
	return &Ingestor{ns: ns, log: log, ackWin: ackWindow, counts: map[string]int{}}
}

type telemetryMsg struct {
	Ack      string          `json:"ack,omitempty"`
	Firmware string          `json:"fw"`
	Readings []fleet.Reading `json:"readings"`
}

// HandleTelemetry is subscribed to devices/+/telemetry.
func (in *Ingestor) HandleTelemetry(_ mqtt.Client, m mqtt.Message) {
	device, err := fleet.DeviceFromTopic(m.Topic())
	if err != nil {
		in.log.Warn("telemetry: dropping message", "topic", m.Topic(), "err", err)
		return
	}
	var msg telemetryMsg
	if err := json.Unmarshal(m.Payload(), &msg); err != nil {
		in.log.Warn("telemetry: bad payload", "device", device, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handlerBudget)
	defer cancel()

	if msg.Ack != "" {
		if err := in.recordAck(ctx, device, msg.Ack); err != nil {
			in.log.Warn("telemetry: ack", "device", device, "cmd", msg.Ack, "err", err)
		}
	}
	now := time.Now().UTC()
	if err := in.touch(ctx, device, now); err != nil {
		in.log.Error("telemetry: last-seen", "device", device, "err", err)
	}
	snap := fleet.Snapshot{Device: device, Firmware: msg.Firmware, Metrics: map[string]float64{}, At: now}
	for _, r := range msg.Readings {
		snap.Metrics[r.Metric] = r.Value
	}
	raw, _ := json.Marshal(snap)
	if err := in.ns.Put(ctx, fleet.SnapshotKey(device), raw, snapshotTTL); err != nil {
		in.log.Error("telemetry: snapshot", "device", device, "err", err)
	}
	if err := in.appendRecent(ctx, device, msg.Readings); err != nil {
		in.log.Error("telemetry: recent", "device", device, "err", err)
	}
	if err := in.ns.Put(ctx, "ingest:last-message", []byte(now.Format(time.RFC3339Nano)), 0); err != nil { // EXPECT kvhotkey
		in.log.Warn("telemetry: ingest marker", "err", err)
	}
	in.mu.Lock()
	in.counts[device]++
	in.mu.Unlock()
}

// recordAck stores the acknowledgement of a downlink command so that the
// command publisher can stop redelivering it. Redeliveries stop after twice the
// ack window.
func (in *Ingestor) recordAck(ctx context.Context, device, cmdID string) error {
	key := "ack:" + device + ":" + cmdID
	return in.ns.Put(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339)), max(2*in.ackWin, 3*time.Second)) // EXPECT kvttl
}

func (in *Ingestor) touch(ctx context.Context, device string, at time.Time) error {
	return in.ns.Put(ctx, fleet.LastSeenKey(device), []byte(strconv.FormatInt(at.Unix(), 10)), lastSeenTTL)
}

// appendRecent keeps the last recentWindow readings of a device.
func (in *Ingestor) appendRecent(ctx context.Context, device string, rs []fleet.Reading) error {
	key := fleet.RecentKey(device)
	var ring []fleet.Reading
	raw, err := in.ns.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ring); err != nil {
			return err
		}
	}
	ring = append(ring, rs...)
	if n := len(ring); n > recentWindow {
		ring = ring[n-recentWindow:]
	}
	out, err := json.Marshal(ring)
	if err != nil {
		return err
	}
	return in.ns.Put(ctx, key, out, snapshotTTL) // EXPECT kvrace
}

type statusMsg struct {
	State      string `json:"state"` // "online" | "offline" | "sleeping"
	NextReport int64  `json:"next_report"`
	Firmware   string `json:"fw"`
}

// HandleStatus is subscribed to fleet/+/+/status.
func (in *Ingestor) HandleStatus(_ mqtt.Client, m mqtt.Message) {
	site, device, err := fleet.SiteDeviceFromTopic(m.Topic())
	if err != nil {
		in.log.Warn("status: dropping message", "topic", m.Topic(), "err", err)
		return
	}
	var st statusMsg
	if err := json.Unmarshal(m.Payload(), &st); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handlerBudget)
	defer cancel()

	key := "status:" + site + ":" + device
	val := []byte(st.State + "|" + st.Firmware)
	switch st.State {
	case "sleeping":
		// A sleeping device announces when it will report again; the status
		// expires shortly after that so the sweep sees it as offline.
		wake := time.Unix(st.NextReport, 0)
		if err := in.ns.Put(ctx, key, val, time.Until(wake)); err != nil { // EXPECT kvttl
			in.log.Error("status", "device", device, "err", err)
		}
	case "online":
		wake := time.Unix(st.NextReport, 0)
		ttl := max(time.Until(wake)+2*time.Minute, time.Minute)
		if err := in.ns.Put(ctx, key, val, ttl); err != nil {
			in.log.Error("status", "device", device, "err", err)
		}
	default:
		if err := in.ns.Delete(ctx, key); err != nil {
			in.log.Error("status", "device", device, "err", err)
		}
	}
}

// HandleEvents is subscribed to devices/+/events. Events are appended to a
// newline-separated log that operators read with fleetctl.
func (in *Ingestor) HandleEvents(_ mqtt.Client, m mqtt.Message) {
	device, err := fleet.DeviceFromTopic(m.Topic())
	if err != nil {
		return
	}
	line := strings.TrimSpace(string(m.Payload()))
	if line == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handlerBudget)
	defer cancel()
	key := fleet.EventLogKey(device)
	prev, err := in.ns.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		in.log.Error("events", "device", device, "err", err)
		return
	}
	entry := time.Now().UTC().Format(time.RFC3339) + " " + line
	if len(prev) > 0 {
		entry = string(prev) + "\n" + entry
	}
	if err := in.ns.Put(ctx, key, []byte(entry), 7*24*time.Hour); err != nil { // EXPECT kvrace
		in.log.Error("events", "device", device, "err", err)
	}
}

// DrainCounts returns the per-device message counts gathered since the last
// call and resets them.
func (in *Ingestor) DrainCounts() map[string]int {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := in.counts
	in.counts = make(map[string]int, len(out))
	return out
}
