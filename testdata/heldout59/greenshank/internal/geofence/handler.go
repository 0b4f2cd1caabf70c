//go:build js && wasm

// Package geofence stores tenant fences and turns gateway crossing events
// into alerts for the dispatcher's dashboard.
package geofence

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/patrickmn/go-cache"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/fleetgrid/greenshank/internal/edgehttp"
	"github.com/fleetgrid/greenshank/internal/edgekv"
	"github.com/fleetgrid/greenshank/internal/fleet"
)

const (
	eventsPerMinute = 600
	alertHistoryLen = 100
	alertHistoryTTL = 30 * 24 * time.Hour
	dedupeWindow    = 10 * time.Minute
	leftBadgeFor    = 30 * time.Second
	fenceCacheTTL   = 5 * time.Minute
	lastEventKey    = "geofence:last-event-at"
)

// Handler serves the geofence API.
type Handler struct {
	validate *validator.Validate
	fences   *cache.Cache
}

type fenceRequest struct {
	ID       string       `json:"-"`
	TenantID string       `json:"-" validate:"required"`
	Name     string       `json:"name" validate:"required,max=80,fence_name_free"`
	Polygon  [][2]float64 `json:"polygon" validate:"min=3,max=200"`
	Notify   []string     `json:"notify" validate:"dive,email"`
}

type crossingEvent struct {
	TenantID  string    `json:"tenant_id" validate:"required"`
	FenceID   string    `json:"fence_id" validate:"required"`
	VehicleID string    `json:"vehicle_id" validate:"required"`
	Lat       float64   `json:"lat" validate:"latitude"`
	Lon       float64   `json:"lon" validate:"longitude"`
	At        time.Time `json:"at" validate:"required"`
}

// New returns a Handler and registers the fence_name_free validation, which
// rejects a fence name another fence of the tenant already uses.
func New(v *validator.Validate) *Handler {
	h := &Handler{validate: v, fences: cache.New(fenceCacheTTL, 10*time.Minute)}
	_ = v.RegisterValidation("fence_name_free", func(fl validator.FieldLevel) bool {
		req, ok := fl.Parent().Interface().(fenceRequest)
		if !ok {
			return false
		}
		store, err := edgekv.Open(edgekv.Binding)
		if err != nil {
			return false
		}
		owner, found, err := store.Get(fleet.FenceNameKey(req.TenantID, strings.ToLower(fl.Field().String())))
		return err == nil && (!found || owner == req.ID)
	})
	return h
}

// Register mounts the geofence routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST /v1/geofence/events", edgehttp.Func(h.handleEvent))
	mux.Handle("GET /v1/geofence/{tenant}/fences", edgehttp.Func(h.handleListFences))
	mux.Handle("PUT /v1/geofence/{tenant}/fences/{id}", edgehttp.Func(h.handlePutFence))
	mux.Handle("POST /v1/geofence/{tenant}/fences/{id}/mute", edgehttp.Func(h.handleMute))
	mux.Handle("POST /v1/geofence/{tenant}/fences/{id}/snooze", edgehttp.Func(h.handleSnooze))
	mux.Handle("POST /v1/geofence/{tenant}/fences/{id}/ack", edgehttp.Func(h.handleAck))
}

func (h *Handler) handleEvent(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	ns := store.Namespace()

	ip := r.Header.Get("CF-Connecting-IP")
	rlKey := "ratelimit:geofence:" + ip + ":" + time.Now().UTC().Format("200601021504")
	seen, found, err := store.Get(rlKey)
	if err != nil {
		return err
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(seen)
	}
	if n >= eventsPerMinute {
		return edgehttp.Errorf(http.StatusTooManyRequests, "slow down")
	}
	if err := store.Put(rlKey, strconv.Itoa(n+1), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	var ev crossingEvent
	if err := edgehttp.Decode(r, h.validate, &ev); err != nil {
		return err
	}
	_ = store.Put(lastEventKey, ev.At.UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey

	muted, err := ns.GetString(fleet.MuteKey(ev.TenantID, ev.FenceID), nil)
	if err != nil {
		return err
	}
	if muted != "" { // EXPECT kvnull
		if until, err := time.Parse(time.RFC3339, muted); err == nil && time.Now().Before(until) {
			return edgehttp.NoContent(w)
		}
	}

	fence, err := h.loadFence(store, ev.TenantID, ev.FenceID)
	if errors.Is(err, edgekv.ErrNotFound) {
		return edgehttp.Errorf(http.StatusNotFound, "unknown fence %s", ev.FenceID)
	} else if err != nil {
		return err
	}
	kind := "exit"
	if fence.Contains(ev.Lat, ev.Lon) {
		kind = "enter"
	}

	if _, snoozed, _ := store.Get("snooze:" + ev.TenantID + ":" + ev.FenceID + ":" + ev.VehicleID); snoozed {
		return edgehttp.NoContent(w)
	}
	if by, acked, _ := store.Get("ack:" + ev.TenantID + ":" + ev.FenceID); acked {
		w.Header().Set("X-Acknowledged-By", by)
		return edgehttp.NoContent(w)
	}

	dedupeKey := "alert:dedupe:" + ev.FenceID + ":" + ev.VehicleID + ":" + kind
	if _, dup, err := store.Get(dedupeKey); err == nil && dup {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	alert := fleet.Alert{ID: fleet.NewID(), FenceID: ev.FenceID, VehicleID: ev.VehicleID, Kind: kind, At: ev.At}
	_ = store.Put(dedupeKey, alert.ID, dedupeWindow) // DEBATABLE kvrace

	if kind == "exit" {
		// The dashboard shows a "just left" badge while this key exists.
		leftKey := "left:" + ev.TenantID + ":" + ev.FenceID + ":" + ev.VehicleID
		_ = store.Put(leftKey, alert.ID, leftBadgeFor) // EXPECT kvttl
	}

	histKey := fleet.AlertsKey(ev.TenantID, ev.VehicleID)
	var history []fleet.Alert
	if err := store.GetJSON(histKey, &history); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	history = append([]fleet.Alert{alert}, history...)
	if len(history) > alertHistoryLen {
		history = history[:alertHistoryLen]
	}
	if err := store.PutJSON(histKey, history, alertHistoryTTL); err != nil { // EXPECT kvrace
		return err
	}
	return edgehttp.JSON(w, http.StatusCreated, alert)
}

// loadFence reads a fence definition through the isolate cache. Fences change
// a few times a week, so a long edge cache lifetime is fine.
func (h *Handler) loadFence(store *edgekv.Store, tenant, id string) (fleet.Fence, error) {
	key := fleet.FenceKey(tenant, id)
	if v, ok := h.fences.Get(key); ok {
		return v.(fleet.Fence), nil
	}
	raw, found, err := store.GetCached(key, fenceCacheTTL)
	if err != nil {
		return fleet.Fence{}, err
	}
	if !found {
		return fleet.Fence{}, edgekv.ErrNotFound
	}
	var f fleet.Fence
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		return fleet.Fence{}, fmt.Errorf("fence %s: %w", key, err)
	}
	h.fences.SetDefault(key, f)
	return f, nil
}

func (h *Handler) handleListFences(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	tenant := r.PathValue("tenant")
	cacheKey := "list:" + tenant
	if v, ok := h.fences.Get(cacheKey); ok {
		return edgehttp.JSON(w, http.StatusOK, v)
	}
	prefix := fleet.FenceKey(tenant, "")
	res, err := store.Namespace().List(&kv.ListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	h.fences.Set(cacheKey, ids, 30*time.Second)
	return edgehttp.JSON(w, http.StatusOK, ids)
}

func (h *Handler) handlePutFence(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	req := fenceRequest{ID: r.PathValue("id"), TenantID: r.PathValue("tenant")}
	if err := edgehttp.Decode(r, h.validate, &req); err != nil {
		return err
	}
	f := fleet.Fence{ID: req.ID, TenantID: req.TenantID, Name: req.Name, Polygon: req.Polygon, Notify: req.Notify}
	if err := store.PutJSON(fleet.FenceKey(f.TenantID, f.ID), f, 0); err != nil {
		return err
	}
	if err := store.Put(fleet.FenceNameKey(f.TenantID, strings.ToLower(f.Name)), f.ID, 0); err != nil { // EXPECT kvrace
		return err
	}
	h.fences.Delete(fleet.FenceKey(f.TenantID, f.ID))
	h.fences.Delete("list:" + f.TenantID)
	return edgehttp.JSON(w, http.StatusOK, f)
}

type untilRequest struct {
	VehicleID string    `json:"vehicle_id"`
	Until     time.Time `json:"until" validate:"required"`
}

func (h *Handler) decodeUntil(r *http.Request) (untilRequest, error) {
	var req untilRequest
	if err := edgehttp.Decode(r, h.validate, &req); err != nil {
		return req, err
	}
	if !req.Until.After(time.Now()) {
		return req, edgehttp.Errorf(http.StatusUnprocessableEntity, "until must be in the future")
	}
	return req, nil
}

// handleMute silences a fence until the given time, e.g. during a depot
// shift change when every truck crosses it.
func (h *Handler) handleMute(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	req, err := h.decodeUntil(r)
	if err != nil {
		return err
	}
	key := fleet.MuteKey(r.PathValue("tenant"), r.PathValue("id"))
	if err := store.Put(key, req.Until.UTC().Format(time.RFC3339), time.Until(req.Until)); err != nil { // EXPECT kvttl
		return err
	}
	return edgehttp.NoContent(w)
}

// handleSnooze silences one vehicle on one fence until the given time.
func (h *Handler) handleSnooze(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	req, err := h.decodeUntil(r)
	if err != nil {
		return err
	}
	if req.VehicleID == "" {
		return edgehttp.Errorf(http.StatusUnprocessableEntity, "vehicle_id required")
	}
	key := "snooze:" + r.PathValue("tenant") + ":" + r.PathValue("id") + ":" + req.VehicleID
	if err := store.PutAtLeast(key, "snoozed", time.Until(req.Until)); err != nil {
		return err
	}
	return edgehttp.NoContent(w)
}

// handleAck records that a dispatcher acknowledged the fence's alerts. The
// acknowledgement holds for two gateway report intervals so the next report
// does not raise the same alert again.
func (h *Handler) handleAck(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	var req struct {
		ReportIntervalSeconds int    `json:"report_interval_seconds" validate:"gte=1,lte=3600"`
		By                    string `json:"by" validate:"required,max=64"`
	}
	if err := edgehttp.Decode(r, h.validate, &req); err != nil {
		return err
	}
	interval := time.Duration(req.ReportIntervalSeconds) * time.Second
	ttl := max(2*interval, 3*time.Second) // EXPECT kvttl
	key := "ack:" + r.PathValue("tenant") + ":" + r.PathValue("id")
	if err := store.Put(key, req.By, ttl); err != nil {
		return err
	}
	return edgehttp.NoContent(w)
}
