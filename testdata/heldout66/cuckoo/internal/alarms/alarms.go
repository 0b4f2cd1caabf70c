// Package alarms evaluates telemetry against per-device thresholds and keeps
// the device shadow (desired vs reported state).
package alarms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/tidewater-iot/cuckoo/internal/fleet"
	"github.com/tidewater-iot/cuckoo/internal/kvstore"
)

const (
	defaultThresholdsKey = "thresholds:default"
	thresholdCacheTTL    = 10 * time.Minute
	alarmTTL             = 6 * time.Hour
)

// Alarm is the record of an active alarm.
type Alarm struct {
	Device string    `json:"device"`
	Metric string    `json:"metric"`
	Value  float64   `json:"value"`
	Limit  float64   `json:"limit"`
	Since  time.Time `json:"since"`
}

// Evaluator checks telemetry against thresholds.
type Evaluator struct {
	ns  *kvstore.Namespace
	log *slog.Logger

	mu   sync.Mutex
	hits map[string]int // breaches per device since process start
}

func NewEvaluator(ns *kvstore.Namespace, log *slog.Logger) *Evaluator {
	return &Evaluator{ns: ns, log: log, hits: map[string]int{}}
}

// thresholds returns the thresholds of device, materialising the fleet
// defaults for devices that have none yet.
func (e *Evaluator) thresholds(ctx context.Context, device string) (fleet.Thresholds, error) {
	var th fleet.Thresholds
	raw, err := e.ns.Get(ctx, fleet.ThresholdsKey(device))
	if err == nil {
		return th, json.Unmarshal(raw, &th)
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return th, err
	}
	def, err := e.ns.Get(ctx, defaultThresholdsKey)
	if err != nil {
		return th, fmt.Errorf("default thresholds: %w", err)
	}
	if err := json.Unmarshal(def, &th); err != nil {
		return th, err
	}
	th.Device = device
	out, _ := json.Marshal(th)
	if err := e.ns.PutCached(ctx, fleet.ThresholdsKey(device), out, thresholdCacheTTL); err != nil {
		e.log.Warn("alarms: cache thresholds", "device", device, "err", err)
	}
	return th, nil
}

type telemetryMsg struct {
	Readings []fleet.Reading `json:"readings"`
}

// HandleTelemetry is added as a route for devices/+/telemetry next to the
// ingestion handler.
func (e *Evaluator) HandleTelemetry(_ mqtt.Client, m mqtt.Message) {
	device, err := fleet.DeviceFromTopic(m.Topic())
	if err != nil {
		return
	}
	var msg telemetryMsg
	if err := json.Unmarshal(m.Payload(), &msg); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	th, err := e.thresholds(ctx, device)
	if err != nil {
		e.log.Error("alarms: thresholds", "device", device, "err", err)
		return
	}
	for _, r := range msg.Readings {
		limit, high := th.Max[r.Metric]
		low, hasLow := th.Min[r.Metric]
		breached := (high && r.Value > limit) || (hasLow && r.Value < low)
		key := fleet.AlarmKey(device, r.Metric)
		if !breached {
			if err := e.ns.Delete(ctx, key); err != nil {
				e.log.Warn("alarms: clear", "key", key, "err", err)
			}
			continue
		}
		a := Alarm{Device: device, Metric: r.Metric, Value: r.Value, Limit: limit, Since: r.At}
		raw, _ := json.Marshal(a)
		if err := e.ns.Put(ctx, key, raw, alarmTTL); err != nil {
			e.log.Error("alarms: raise", "key", key, "err", err)
		}
		if err := e.ns.Put(ctx, "alarms:latest", raw, alarmTTL); err != nil { // EXPECT kvhotkey
			e.log.Warn("alarms: latest", "err", err)
		}
		e.mu.Lock()
		e.hits[device]++
		n := e.hits[device]
		e.mu.Unlock()
		if err := e.ns.Put(ctx, "alarm-hits:"+device, []byte(strconv.Itoa(n)), 24*time.Hour); err != nil { // EXPECT kvcounter
			e.log.Warn("alarms: hits", "err", err)
		}
	}
}

// Shadows keeps device shadows.
type Shadows struct {
	ns  *kvstore.Namespace
	log *slog.Logger
}

func NewShadows(ns *kvstore.Namespace, log *slog.Logger) *Shadows {
	return &Shadows{ns: ns, log: log}
}

// HandleReported is subscribed to devices/+/shadow/update. Devices publish the
// subset of their state that changed.
func (s *Shadows) HandleReported(c mqtt.Client, m mqtt.Message) {
	device, err := fleet.DeviceFromTopic(m.Topic())
	if err != nil {
		return
	}
	var reported map[string]any
	if err := json.Unmarshal(m.Payload(), &reported); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	key := fleet.ShadowKey(device)
	sh := fleet.Shadow{Desired: map[string]any{}, Reported: map[string]any{}}
	raw, err := s.ns.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		s.log.Error("shadow: load", "device", device, "err", err)
		return
	default:
		if err := json.Unmarshal(raw, &sh); err != nil {
			s.log.Error("shadow: decode", "device", device, "err", err)
			return
		}
	}
	maps.Copy(sh.Reported, reported)
	sh.Version++
	sh.Updated = time.Now().UTC()
	out, _ := json.Marshal(sh)
	if err := s.ns.Put(ctx, key, out, 0); err != nil { // EXPECT kvrace
		s.log.Error("shadow: save", "device", device, "err", err)
		return
	}
	if delta := diff(sh.Desired, sh.Reported); len(delta) > 0 {
		d, _ := json.Marshal(delta)
		c.Publish("devices/"+device+"/shadow/delta", 1, false, d)
	}
}

// SetDesired replaces the desired document of device. fleetctl writes the
// whole desired state; the reported half is kept as stored.
func (s *Shadows) SetDesired(ctx context.Context, device string, desired map[string]any) error {
	key := fleet.ShadowKey(device)
	raw, err := s.ns.Get(ctx, key)
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return fmt.Errorf("device %s has never reported", device)
	}
	var sh fleet.Shadow
	if err := json.Unmarshal(raw, &sh); err != nil {
		return err
	}
	sh.Desired = desired
	sh.Version++
	out, _ := json.Marshal(sh)
	return s.ns.Put(ctx, key, out, 0) // EXPECT kvrace
}

func diff(desired, reported map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range desired {
		if fmt.Sprint(reported[k]) != fmt.Sprint(v) {
			out[k] = v
		}
	}
	return out
}
