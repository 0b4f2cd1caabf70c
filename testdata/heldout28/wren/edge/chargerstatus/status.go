//go:build js && wasm

// Package chargerstatus records what chargers report and serves the live map.
package chargerstatus

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wren/edge/kvstore"
	"example.com/wren/internal/keys"
	"example.com/wren/internal/lifetime"
)

// ConnectorState is the OCPP ChargePointStatus.
type ConnectorState string

const (
	Available   ConnectorState = "Available"
	Preparing   ConnectorState = "Preparing"
	Charging    ConnectorState = "Charging"
	Faulted     ConnectorState = "Faulted"
	Unavailable ConnectorState = "Unavailable"
)

// Snapshot is the live state of one charger.
type Snapshot struct {
	ChargerID  string                 `json:"charger_id"`
	Connectors map[int]ConnectorState `json:"connectors"`
	Firmware   string                 `json:"firmware,omitempty"`
	SeenAt     time.Time              `json:"seen_at"`
}

// Event is one status notification kept in a charger's short history.
type Event struct {
	Connector int            `json:"c"`
	State     ConnectorState `json:"s"`
	ErrorCode string         `json:"e,omitempty"`
	At        time.Time      `json:"t"`
}

const historyLen = 20

// Tracker writes charger state. Snapshots go through the JSON store; the history and counters use the raw binding.
type Tracker struct {
	store *kvstore.Store
	clock func() time.Time
}

// NewTracker returns a Tracker over store.
func NewTracker(store *kvstore.Store) *Tracker {
	return &Tracker{store: store, clock: time.Now}
}

// Heartbeat records that chargerID is alive.
func (t *Tracker) Heartbeat(ctx context.Context, chargerID string) error {
	now := t.clock().UTC()
	var snap Snapshot
	if _, err := t.store.Load(ctx, keys.Charger(chargerID), &snap); err != nil {
		return err
	}
	if snap.ChargerID == "" {
		snap = Snapshot{ChargerID: chargerID, Connectors: map[int]ConnectorState{}}
	}
	snap.SeenAt = now
	if err := t.store.Save(ctx, keys.Charger(chargerID), snap, lifetime.StatusFreshness); err != nil { // DEBATABLE kvrace
		return err
	}
	ns, err := t.store.Namespace()
	if err != nil {
		return err
	}
	return ns.PutString("network:last-heartbeat", now.Format(time.RFC3339), nil) // EXPECT kvhotkey
}

// Notify records a StatusNotification in the charger's history.
func (t *Tracker) Notify(ctx context.Context, chargerID string, ev Event) error {
	ns, err := t.store.Namespace()
	if err != nil {
		return err
	}
	key := "history:" + chargerID
	v, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var hist []Event
	if v != "<null>" {
		if err := json.Unmarshal([]byte(v), &hist); err != nil {
			hist = nil // corrupt history is not worth failing the charger for
		}
	}
	hist = append(hist, ev)
	if len(hist) > historyLen {
		hist = hist[len(hist)-historyLen:]
	}
	b, _ := json.Marshal(hist)
	if err := ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}); err != nil { // EXPECT kvrace
		return err
	}
	if ev.State == Faulted {
		return t.appendFault(ns, chargerID, ev)
	}
	return nil
}

// appendFault keeps a plain-text fault log the field technicians read.
func (t *Tracker) appendFault(ns *kv.Namespace, chargerID string, ev Event) error {
	key := "faults:" + chargerID
	old, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if old == "<null>" {
		old = ""
	}
	line := fmt.Sprintf("%s connector=%d code=%s\n", ev.At.Format(time.RFC3339), ev.Connector, ev.ErrorCode)
	return ns.PutString(key, old+line, nil) // EXPECT kvrace
}

// CountStart counts a charging session start for the day's network report.
func (t *Tracker) CountStart(ctx context.Context, day time.Time) error {
	ns, err := t.store.Namespace()
	if err != nil {
		return err
	}
	key := "starts:" + day.Format("2006-01-02")
	v, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if v != "<null>" {
		if n, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("chargerstatus: %s: %w", key, err)
		}
	}
	return ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 3 * 24 * 3600}) // EXPECT kvcounter
}

// RecordFirmware stores the firmware a charger reported at boot in the network's firmware inventory.
func (t *Tracker) RecordFirmware(ctx context.Context, chargerID, version string) error {
	return t.store.Update(ctx, "inventory:firmware", func(old []byte) ([]byte, error) {
		inv := map[string]string{}
		if old != nil {
			if err := json.Unmarshal(old, &inv); err != nil {
				return nil, err
			}
		}
		if inv[chargerID] == version {
			return nil, nil
		}
		inv[chargerID] = version
		return json.Marshal(inv)
	})
}

// Snapshot returns the live state of chargerID.
func (t *Tracker) Snapshot(ctx context.Context, chargerID string) (Snapshot, bool, error) {
	var snap Snapshot
	found, err := t.store.Load(ctx, keys.Charger(chargerID), &snap)
	return snap, found, err
}

// OfflineCount counts chargers whose snapshot has expired from the index.
func (t *Tracker) OfflineCount(ctx context.Context, registered int) (int, error) {
	ns, err := t.store.Namespace()
	if err != nil {
		return 0, err
	}
	res, err := ns.List(&kv.ListOptions{Prefix: "status:"}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	online := 0
	for _, k := range res.Keys {
		if strings.Count(k.Name, ":") == 1 {
			online++
		}
	}
	return max(registered-online, 0), nil
}
