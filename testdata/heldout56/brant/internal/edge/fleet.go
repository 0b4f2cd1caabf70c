//go:build js && wasm

package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"brant/internal/domain"
	"brant/internal/edgekv"
	"brant/internal/units"
)

// HoldHandler places and releases short holds on vehicles.
type HoldHandler struct {
	fleet domain.EdgeStore
	now   func() time.Time
}

type holdRequest struct {
	VehicleID string `json:"vehicle_id"`
	RiderID   string `json:"rider_id"`
}

func (h *HoldHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in holdRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.VehicleID == "" {
		httpError(w, http.StatusBadRequest, "vehicle_id required")
		return
	}
	key := domain.KindHold.Key(in.VehicleID)
	switch r.Method {
	case http.MethodPost:
		if _, held, err := h.fleet.Get(ctx, key, domain.ReadOpts{}); err != nil {
			httpError(w, http.StatusBadGateway, err.Error())
			return
		} else if held {
			httpError(w, http.StatusConflict, "vehicle already held")
			return
		}
		hold := domain.Hold{VehicleID: in.VehicleID, RiderID: in.RiderID, ExpiresAt: h.now().Add(domain.KindHold.Lifetime())}
		body, _ := json.Marshal(hold)
		if err := h.fleet.Put(ctx, key, string(body), domain.WriteOpts{TTL: units.Ptr(domain.KindHold.Lifetime())}); err != nil { // EXPECT kvrace
			httpError(w, http.StatusBadGateway, err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, hold)
	case http.MethodDelete:
		grace := domain.Hold{VehicleID: in.VehicleID, RiderID: in.RiderID, ExpiresAt: h.now()}
		body, _ := json.Marshal(grace)
		opts := domain.WriteOpts{
			ExpireAt: units.Ptr(h.now().Add(45 * time.Second)), // EXPECT kvttl
		}
		if err := h.fleet.Put(ctx, "released:"+in.VehicleID, string(body), opts); err != nil {
			httpError(w, http.StatusBadGateway, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		httpError(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

// SurgeHandler serves the surge multiplier for a city, reading through to
// the pricing origin on a miss.
type SurgeHandler struct {
	config domain.EdgeStore
	origin string
}

func (h *SurgeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	city := r.URL.Query().Get("city")
	key := domain.KindSurge.Key(city)
	if r.URL.Query().Has("zones") {
		raw, ok, err := h.config.Get(ctx, key+":zones", domain.ReadOpts{
			CacheTTL: units.Ptr(15 * time.Second), // EXPECT kvttl
		})
		if err != nil || !ok {
			httpError(w, http.StatusNotFound, "no zones")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, raw)
		return
	}
	if raw, ok, err := h.config.Get(ctx, key, domain.ReadOpts{CacheTTL: units.Ptr(5 * time.Minute)}); err == nil && ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, raw)
		return
	}
	missKey := domain.KindMiss.Key("surge", city)
	if _, ok, _ := h.config.Get(ctx, missKey, domain.ReadOpts{}); ok {
		httpError(w, http.StatusNotFound, "no surge for city")
		return
	}
	resp, err := http.Get(h.origin + "/pricing/surge/" + city)
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		_ = h.config.Put(ctx, missKey, "1", domain.WriteOpts{TTL: units.Ptr(domain.KindMiss.Lifetime())})
		httpError(w, http.StatusNotFound, "no surge for city")
		return
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	if c, ok := h.config.(edgekv.CachePutter); ok {
		_ = c.PutCache(ctx, key, string(body), 30*time.Second)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// TripStartHandler is called by the app when a rider starts a trip.
type TripStartHandler struct {
	fleet domain.EdgeStore
	now   func() time.Time
}

func (h *TripStartHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ev := domain.TripEvent{Type: "start", TripID: newID(), RiderID: r.FormValue("rider_id"), VehicleID: r.FormValue("vehicle_id"), City: r.FormValue("city"), At: h.now()}
	body, _ := json.Marshal(ev)
	if err := h.fleet.Put(ctx, "trip:"+ev.TripID, string(body), domain.WriteOpts{TTL: units.Ptr(48 * time.Hour)}); err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	stamp := strconv.FormatInt(ev.At.Unix(), 10)
	_ = h.fleet.Put(ctx, "stats:last_trip_started", stamp, domain.WriteOpts{}) // EXPECT kvhotkey
	writeJSON(w, http.StatusCreated, ev)
}

// VehicleNotesHandler lets field staff attach notes to a vehicle.
type VehicleNotesHandler struct {
	fleet domain.EdgeStore
}

func (h *VehicleNotesHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	vehicle := r.FormValue("vehicle_id")
	note := strings.TrimSpace(r.FormValue("note"))
	key := "notes:" + vehicle
	notes, _, err := h.fleet.Get(ctx, key, domain.ReadOpts{})
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	if r.Method == http.MethodGet {
		_, _ = io.WriteString(w, notes)
		return
	}
	notes += time.Now().UTC().Format(time.RFC3339) + " " + note + "\n"
	if err := h.fleet.Put(ctx, key, notes, domain.WriteOpts{}); err != nil { // EXPECT kvrace
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PromoPageHandler renders a promo landing page and counts its views.
type PromoPageHandler struct {
	config domain.EdgeStore
}

type promoPage struct {
	Code     string `json:"code"`
	Headline string `json:"headline"`
	Discount int    `json:"discount_pct"`
}

func (h *PromoPageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	code := strings.TrimPrefix(r.URL.Path, "/v1/promos/")
	raw, ok, err := h.config.Get(ctx, "promo:"+code, domain.ReadOpts{CacheTTL: units.Ptr(10 * time.Minute)})
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	if !ok {
		httpError(w, http.StatusNotFound, "no such promo")
		return
	}
	var p promoPage
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	viewsKey := "promo_views:" + code
	cloudflare.WaitUntil(func() {
		seen, found, err := h.config.Get(ctx, viewsKey, domain.ReadOpts{})
		if err != nil {
			return
		}
		n := 0
		if found {
			n, _ = strconv.Atoi(seen)
		}
		_ = h.config.Put(ctx, viewsKey, strconv.Itoa(n+1), domain.WriteOpts{}) // EXPECT kvcounter|kvrace
	})
	writeJSON(w, http.StatusOK, p)
}
