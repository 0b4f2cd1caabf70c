//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// TripStatus mirrors trips.Status written by the backend.
type TripStatus struct {
	TripID   string    `json:"trip_id"`
	State    string    `json:"state"`
	DriverID string    `json:"driver_id"`
	ETA      int       `json:"eta_s"`
	Updated  time.Time `json:"updated"`
}

// zoneSchemaKey names the cached zone-shape document; the field list is
// part of the key so that a change of shape never reads an old document.
const zoneSchemaKey = "zones:schema:v4:" +
	"zone_id,zone_name,city_id,city_name,country_code,timezone,currency,polygon_wkt,centroid_lat,centroid_lng," +
	"surge_floor,surge_ceiling,surge_step,base_fare_cents,per_km_cents,per_minute_cents,booking_fee_cents," +
	"minimum_fare_cents,airport_surcharge_cents,toll_policy,cancellation_fee_cents,cancellation_grace_seconds," +
	"wait_time_free_seconds,wait_time_per_minute_cents,night_multiplier,night_start_local,night_end_local," +
	"holiday_multiplier,pool_enabled,pool_discount_pct,xl_enabled,xl_multiplier,green_enabled,green_multiplier," +
	"accessible_enabled,pets_allowed,child_seat_available,max_passengers,max_luggage,pickup_radius_m," +
	"dropoff_radius_m,geofence_version,pricing_version,tax_rate_bp,tax_inclusive,regulatory_fee_cents,updated_at"

func (s *Server) tripStatus(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if id == "" {
		http.Error(w, "id required", http.StatusBadRequest)
		return
	}
	v, err := s.ns.GetString("trip:status:"+id, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var st TripStatus
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		http.Error(w, "bad status", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// magicLink signs a rider in from the e-mailed link.
func (s *Server) magicLink(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	key := "magic:" + tok
	sessID, err := s.ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if sessID == nullValue {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := s.ns.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "kea_sess", Value: sessID, Path: "/", HttpOnly: true, Secure: true})
	http.Redirect(w, r, "/app", http.StatusFound)
}

// recentQuotes lists quote IDs for the support console.
func (s *Server) recentQuotes(w http.ResponseWriter, r *http.Request) {
	var ids []string
	opts := &kv.ListOptions{Prefix: "quote:", Limit: 500}
	for {
		res, err := s.ns.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, "quote:"))
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, ids)
}

// auditQuotes counts holds per zone for the pricing team.
func (s *Server) auditQuotes(w http.ResponseWriter, r *http.Request) {
	const maxPages = 10
	holds := 0
	res, err := s.ns.List(&kv.ListOptions{Prefix: "hold:", Limit: 1000})
	for page := 1; err == nil; page++ {
		holds += len(res.Keys)
		if res.ListComplete || page == maxPages {
			break
		}
		res, err = s.ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"holds": holds})
}

// zones returns the cached zone-shape document and a page of zone keys.
func (s *Server) zones(w http.ResponseWriter, r *http.Request) {
	doc, err := s.ns.GetString(zoneSchemaKey, &kv.GetOptions{CacheTTL: configCacheTTL}) // EXPECT kvlimits
	if err != nil || doc == nullValue {
		doc = "{}"
	}
	res, err := s.ns.List(&kv.ListOptions{Prefix: "surge:", Limit: 2000, Cursor: r.URL.Query().Get("cursor")}) // EXPECT kvlimits
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, "surge:"))
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"schema": json.RawMessage(doc), "zones": names, "cursor": next})
}

// recentStatuses returns up to limit trip statuses touched in the last hour,
// reading each key's value at most once per page and stopping at the budget.
func (s *Server) recentStatuses(limit int) ([]TripStatus, error) {
	var out []TripStatus
	opts := &kv.ListOptions{Prefix: "trip:status:", Limit: 100}
	for pages := 0; pages < 3; pages++ {
		res, err := s.ns.List(opts)
		if err != nil {
			return out, err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(time.Now().Add(23*time.Hour)) {
				continue
			}
			out = append(out, TripStatus{TripID: strings.TrimPrefix(k.Name, "trip:status:")})
			if len(out) >= limit {
				return out, nil
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return out, nil
}
