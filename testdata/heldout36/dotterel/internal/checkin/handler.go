// Package checkin receives device check-ins and keeps the per-device state
// that dashboards and the rollout service read.
package checkin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fleetline/dotterel/internal/coalesce"
	"github.com/fleetline/dotterel/internal/kvstore"
	"github.com/fleetline/dotterel/internal/policy"
)

// ErrUnknownTenant is returned when a request carries no tenant.
var ErrUnknownTenant = errors.New("checkin: unknown tenant")

// Report is the body a device posts on check-in.
type Report struct {
	DeviceID string  `json:"device_id"`
	Firmware string  `json:"firmware"`
	Battery  float64 `json:"battery"`
	RSSI     int     `json:"rssi"`
	Tags     string  `json:"tags,omitempty"`
}

// LastSeen is the latest check-in of a device.
type LastSeen struct {
	Tenant   string    `json:"tenant"`
	DeviceID string    `json:"device_id"`
	Firmware string    `json:"firmware"`
	At       time.Time `json:"at"`
}

// Key implements the record shape used by kvstore.SaveAll.
func (l LastSeen) Key() string { return "t/" + l.Tenant + "/dev/" + l.DeviceID + "/last" }

// Lifetime keeps last-seen records for a week after the device goes quiet.
func (l LastSeen) Lifetime() time.Duration { return 7 * 24 * time.Hour }

// Handler serves /v1/checkin and /v1/devices/{id}/status.
type Handler struct {
	store  *kvstore.Store
	flight coalesce.Group
	origin func(ctx context.Context, tenant, device string) ([]byte, error)
	plans  func(tenant string) string
	Seen   chan LastSeen
}

// New returns a Handler. origin loads device status from the registry DB.
func New(store *kvstore.Store, origin func(ctx context.Context, tenant, device string) ([]byte, error), plans func(string) string) *Handler {
	return &Handler{store: store, origin: origin, plans: plans, Seen: make(chan LastSeen, 4096)}
}

func (h *Handler) forTenant(tenant string) *kvstore.Store {
	return h.store.WithPrefix("t/" + tenant + "/")
}

// ServeCheckin records one check-in.
func (h *Handler) ServeCheckin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant := r.Header.Get("X-Tenant")
	if tenant == "" {
		http.Error(w, ErrUnknownTenant.Error(), http.StatusBadRequest)
		return
	}
	var rep Report
	if err := json.NewDecoder(r.Body).Decode(&rep); err != nil || rep.DeviceID == "" {
		http.Error(w, "bad report", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	ts := h.forTenant(tenant)

	if err := h.countCheckin(ctx, ts, now); err != nil {
		slog.Warn("checkin count", "tenant", tenant, "err", err)
	}

	uow := ts.Begin()
	defer uow.Commit(ctx)

	uow.Put("dev/"+rep.DeviceID+"/fw", []byte(rep.Firmware), 30*24*time.Hour)
	uow.Put("dev/"+rep.DeviceID+"/radio", []byte(strconv.Itoa(rep.RSSI)), 24*time.Hour)
	if rep.Battery < 0.15 {
		uow.Put("lowbatt/"+rep.DeviceID, []byte(strconv.FormatFloat(rep.Battery, 'f', 2, 64)), 6*time.Hour)
	} else {
		uow.Delete("lowbatt/" + rep.DeviceID)
	}

	if rep.Tags != "" {
		if err := h.addTags(ctx, ts, rep.DeviceID, rep.Tags); err != nil {
			slog.Warn("checkin tags", "device", rep.DeviceID, "err", err)
		}
	}

	if err := h.store.Put(ctx, "fleet/last-checkin", []byte(now.Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		slog.Warn("checkin marker", "err", err)
	}

	select {
	case h.Seen <- LastSeen{Tenant: tenant, DeviceID: rep.DeviceID, Firmware: rep.Firmware, At: now}:
	case <-time.After(50 * time.Millisecond):
		slog.Warn("last-seen buffer full", "device", rep.DeviceID)
	}
	w.WriteHeader(http.StatusAccepted)
}

// countCheckin maintains the per-minute check-in count shown on the
// tenant dashboard.
func (h *Handler) countCheckin(ctx context.Context, ts *kvstore.Store, now time.Time) error {
	bucket := now.Truncate(time.Minute).Unix()
	key := fmt.Sprintf("checkins/%d", bucket)
	raw, found, err := ts.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("read checkin bucket: %w", err)
	}
	n := 0
	if found {
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("parse checkin bucket: %w", err)
		}
	}
	return ts.Put(ctx, key, []byte(strconv.Itoa(n+1)), 2*time.Hour) // EXPECT kvcounter
}

// addTags merges the comma-separated tags a device reports into its tag set.
func (h *Handler) addTags(ctx context.Context, ts *kvstore.Store, device, tags string) error {
	key := "dev/" + device + "/tags"
	old, found, err := ts.Get(ctx, key)
	if err != nil {
		return err
	}
	merged := tags
	if found && len(old) > 0 {
		have := string(old)
		for _, t := range strings.Split(tags, ",") {
			if !strings.Contains(","+have+",", ","+t+",") {
				have += "," + t
			}
		}
		merged = have
	}
	return ts.Put(ctx, key, []byte(merged), 0) // EXPECT kvrace
}

// ServeStatus returns the registry status of a device, cached in KV.
func (h *Handler) ServeStatus(w http.ResponseWriter, r *http.Request) {
	tenant := r.Header.Get("X-Tenant")
	device := r.PathValue("id")
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()

	ts := h.forTenant(tenant)
	key := "status/" + device
	if raw, found, err := ts.Get(ctx, key); err == nil && found {
		w.Header().Set("Content-Type", "application/json")
		w.Write(raw)
		return
	}

	type result struct {
		raw []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		raw, err, _ := h.flight.Do(tenant+"/"+device, func() ([]byte, error) {
			raw, err := h.origin(ctx, tenant, device)
			if err != nil {
				return nil, err
			}
			ttl := policy.For(h.plans(tenant)).CacheTTL
			if err := ts.Cache(ctx, key, raw, ttl); err != nil {
				slog.Warn("status cache", "err", err)
			}
			return raw, nil
		})
		ch <- result{raw, err}
	}()

	select {
	case res := <-ch:
		if res.err != nil {
			http.Error(w, "registry unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(res.raw)
	case <-ctx.Done():
		http.Error(w, "timeout", http.StatusGatewayTimeout)
	}
}

// AppendHistory keeps the last 50 firmware versions a device reported.
func (h *Handler) AppendHistory(ctx context.Context, tenant, device, fw string) error {
	ts := h.forTenant(tenant)
	key := "dev/" + device + "/fw-history"
	var hist []string
	if _, err := ts.GetJSON(ctx, key, &hist); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if len(hist) > 0 && hist[len(hist)-1] == fw {
		return nil
	}
	hist = append(hist, fw)
	if len(hist) > 50 {
		hist = hist[len(hist)-50:]
	}
	return ts.PutJSON(ctx, key, hist, 0) // EXPECT kvrace
}
