// Package heartbeat records device heartbeats and last-seen state and runs
// the periodic offline and firmware-drift sweeps.
package heartbeat

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"veery/internal/httpx"
	"veery/internal/kvstore"
	"veery/internal/registry"
)

// healthQuery is the registry's fleet health rollup, grouped the way the
// dashboard shows it.
const healthQuery = "/v1/devices/summary?group_by=fleet,model,firmware,region,connectivity" +
	"&fields=id,serial,fleet,model,firmware,region,connectivity,last_seen,uptime_s,rssi_dbm," +
	"battery_pct,temperature_c,storage_free_mb,pending_commands,open_alerts,rollout_id,rollout_wave," +
	"rollout_state,install_site,install_date,warranty_until,hardware_rev,bootloader,modem_fw,sim_iccid" +
	"&filter=state%20in%20(active,maintenance,quarantined)%20and%20last_seen%20gt%20now-30d" +
	"%20and%20not%20tag%3Adecommissioned%20and%20not%20tag%3Alab%20and%20not%20tag%3Ademo" +
	"&order=fleet,model,firmware,region&include=counts,percentiles,histograms&percentiles=50,90,99" +
	"&histogram_buckets=rssi_dbm:-120:-30:10,battery_pct:0:100:10,temperature_c:-20:80:10&tz=UTC"

// Target describes where a class of record is written.
type Target struct {
	NS  string
	TTL time.Duration
}

// Recorder handles heartbeat traffic.
type Recorder struct {
	KV       *kvstore.Store
	Registry *registry.Client
	CacheNS  string
	LastSeen Target

	mu    sync.Mutex
	beats map[string]int
}

// NewRecorder returns a Recorder writing last-seen records into devicesNS.
// Records outlive the offline threshold by the configured grace period.
func NewRecorder(kv *kvstore.Store, reg *registry.Client, devicesNS, cacheNS string, grace time.Duration) *Recorder {
	return &Recorder{
		KV:       kv,
		Registry: reg,
		CacheNS:  cacheNS,
		LastSeen: Target{NS: devicesNS, TTL: grace},
		beats:    map[string]int{},
	}
}

// Routes registers the heartbeat endpoints.
func (rec *Recorder) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /devices/{id}/heartbeat", rec.heartbeat)
	mux.HandleFunc("POST /devices/{id}/diagnostics", rec.diagnostics)
	mux.HandleFunc("GET /devices/{id}/last-seen", rec.lastSeen)
	mux.HandleFunc("GET /devices/{id}/online", rec.online)
	mux.HandleFunc("GET /fleet/health", rec.health)
}

type beat struct {
	Firmware string  `json:"fw"`
	RSSI     int     `json:"rssi"`
	Uptime   int64   `json:"uptime"`
	Temp     float64 `json:"temp"`
}

func (rec *Recorder) heartbeat(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	var hb beat
	if err := httpx.Decode(r, &hb); err != nil {
		httpx.Error(w, http.StatusBadRequest, "malformed heartbeat")
		return
	}
	now := time.Now().UTC()
	if err := rec.recordLastSeen(ctx, id, hb, now); err != nil {
		httpx.Internal(w, r, err)
		return
	}

	online := rec.LastSeen
	online.TTL = 45 * time.Second // EXPECT kvttl
	if err := rec.KV.Put(ctx, online.NS, "online:"+id, []byte("1"), online.TTL); err != nil {
		httpx.Internal(w, r, err)
		return
	}

	rec.mu.Lock()
	rec.beats[id]++
	n := rec.beats[id]
	rec.mu.Unlock()
	if err := rec.KV.Put(ctx, rec.LastSeen.NS, "hb-count:"+id, []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
		httpx.Internal(w, r, err)
		return
	}

	if err := rec.KV.PutForever(ctx, rec.LastSeen.NS, "fleet:last-heartbeat", []byte(strconv.FormatInt(now.Unix(), 10))); err != nil { // EXPECT kvhotkey
		httpx.Internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// recordLastSeen stores the heartbeat as the device's last-seen record. The
// timestamp and firmware also go into metadata so sweeps can use the listing.
func (rec *Recorder) recordLastSeen(ctx context.Context, id string, hb beat, now time.Time) error {
	v := map[string]any{
		"fw":     hb.Firmware,
		"rssi":   hb.RSSI,
		"uptime": hb.Uptime,
		"temp":   hb.Temp,
		"at":     now.Unix(),
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	meta := map[string]any{"at": now.Unix(), "fw": hb.Firmware}
	return rec.KV.PutWithMeta(ctx, rec.LastSeen.NS, "lastseen:"+id, b, rec.LastSeen.TTL, meta)
}

func (rec *Recorder) diagnostics(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var blob json.RawMessage
	if err := httpx.Decode(r, &blob); err != nil {
		httpx.Error(w, http.StatusBadRequest, "diagnostics must be JSON")
		return
	}
	diag := rec.LastSeen
	diag.TTL = 7 * 24 * time.Hour
	key := fmt.Sprintf("diag:%s:%s", id, time.Now().UTC().Format("20060102T150405"))
	if err := rec.KV.Put(r.Context(), diag.NS, key, blob, diag.TTL); err != nil {
		httpx.Internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (rec *Recorder) lastSeen(w http.ResponseWriter, r *http.Request) {
	raw, err := rec.KV.Get(r.Context(), rec.LastSeen.NS, "lastseen:"+r.PathValue("id"))
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	if len(raw) == 0 { // EXPECT kvnull
		httpx.Error(w, http.StatusNotFound, "device has never reported")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

func (rec *Recorder) online(w http.ResponseWriter, r *http.Request) {
	_, err := rec.KV.Get(r.Context(), rec.LastSeen.NS, "online:"+r.PathValue("id"))
	switch {
	case err == nil:
		httpx.JSON(w, http.StatusOK, map[string]bool{"online": true})
	case kvstore.IsNotFound(err):
		httpx.JSON(w, http.StatusOK, map[string]bool{"online": false})
	default:
		httpx.Internal(w, r, err)
	}
}

// health serves the registry's fleet health rollup through the cache
// namespace; the rollup is expensive to compute on the registry side.
func (rec *Recorder) health(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	raw, err := rec.KV.Get(ctx, rec.CacheNS, "regcache:"+healthQuery) // EXPECT kvlimits
	if err != nil && !kvstore.IsNotFound(err) {
		httpx.Internal(w, r, err)
		return
	}
	if err != nil {
		raw, err = rec.Registry.Raw(ctx, healthQuery)
		if err != nil {
			httpx.Internal(w, r, err)
			return
		}
		if err := rec.KV.PutCached(ctx, rec.CacheNS, "regcache:"+healthQuery, raw, 5*time.Minute); err != nil { // EXPECT kvlimits
			slog.Warn("heartbeat: cache fleet health", "err", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}
