//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/smew/internal/occupancy"
)

// zoneCacheTTL keeps the signage close to live capacity.
const zoneCacheTTL = 15

// zoneFeatureQuery is the city GIS query for active parking zone polygons.
const zoneFeatureQuery = "https://gis.smew.example.gov/arcgis/rest/services/Transportation/ParkingZones/FeatureServer/0/query" +
	"?where=STATUS%3D%27ACTIVE%27%20AND%20ZONE_TYPE%20IN%20(%27RESIDENT%27%2C%27PAY_AND_DISPLAY%27%2C%27LOADING%27%2C%27EV%27)" +
	"&outFields=OBJECTID%2CZONE_ID%2CZONE_NAME%2CDISTRICT%2CZONE_TYPE%2CHOURS_WEEKDAY%2CHOURS_SATURDAY%2CHOURS_SUNDAY" +
	"%2CMAX_STAY_MIN%2CTARIFF_CENTS%2CPERMIT_KINDS%2CBAY_COUNT%2CEV_BAYS%2CDISABLED_BAYS%2CLAST_SURVEY%2CEFFECTIVE_FROM" +
	"&returnGeometry=true&geometryPrecision=6&outSR=4326&orderByFields=ZONE_ID%20ASC&resultRecordCount=2000&f=geojson"

// serveCached answers from KV, or fetches src, caches it for ttl and
// answers with that.
func serveCached(w http.ResponseWriter, r *http.Request, ns *cloudflare.KVNamespace, key, src string, ttl time.Duration) error {
	raw, err := ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	if raw != kvMissing {
		_, err = w.Write([]byte(raw))
		return err
	}
	body, err := fetchURL(r.Context(), src)
	if err != nil {
		return err
	}
	if err := putCached(ns, key, json.RawMessage(body), ttl); err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}

func (s *Server) zoneRules(w http.ResponseWriter, r *http.Request, b *bindings) error {
	id := r.PathValue("zone")
	return serveCached(w, r, b.zones, "rules:"+id, "/zones/"+id+"/rules", rulesCacheTTL)
}

// zoneBoundaries serves the zone polygons from the city GIS.
func (s *Server) zoneBoundaries(w http.ResponseWriter, r *http.Request, b *bindings) error {
	key := "gis:" + zoneFeatureQuery // EXPECT kvlimits
	return serveCached(w, r, b.zones, key, zoneFeatureQuery, 6*time.Hour)
}

// tariff serves a zone's hourly tariff, cached for an hour.
func (s *Server) tariff(w http.ResponseWriter, r *http.Request, b *bindings) error {
	id := r.PathValue("zone")
	key := "tariff:" + id
	cached, err := b.zones.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 600})
	if err != nil {
		return err
	}
	if cached != "" { // EXPECT kvnull
		_, err = w.Write([]byte(cached))
		return err
	}
	body, err := fetchURL(r.Context(), "/zones/"+id+"/tariff")
	if err != nil {
		return err
	}
	if err := b.zones.PutString(key, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}); err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}

type signageConfig struct {
	Title    string `json:"title"`
	ShowFree bool   `json:"show_free"`
}

func loadSignage(ns *cloudflare.KVNamespace, zone string) (signageConfig, error) {
	raw, err := ns.GetString("signage:"+zone, nil) // EXPECT kvnull
	var cfg signageConfig
	if err != nil {
		return cfg, err
	}
	err = json.Unmarshal([]byte(raw), &cfg)
	return cfg, err
}

func zoneCapacity(ns *cloudflare.KVNamespace, zone string) (int, error) {
	raw, err := ns.GetString("capacity:"+zone, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(raw))
}

// signage feeds the street displays at each zone entrance. Displays poll
// every few seconds.
func (s *Server) signage(w http.ResponseWriter, r *http.Request, b *bindings) error {
	zone := r.PathValue("zone")
	cfg, err := loadSignage(b.zones, zone)
	if err != nil {
		return err
	}
	capacity, err := zoneCapacity(b.zones, zone)
	if err != nil {
		return err
	}
	live, err := b.zones.GetString("live:"+zone, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: zoneCacheTTL, // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	occupied := 0
	if live != kvMissing {
		occupied, _ = strconv.Atoi(live)
	}
	st, err := s.reg.Open(r.Context(), setting(r.Context(), "SIGNAGE_DSN", "kv://ZONES"))
	if err != nil {
		return err
	}
	if err := occupancy.NewShardedCounter(st, "views", 8).Incr(r.Context(), zone); err != nil {
		return err
	}
	if err := st.Put(r.Context(), "signage:last-poll", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"title": cfg.Title, "free": max(capacity-occupied, 0), "show_free": cfg.ShowFree})
}

// sensorSnapshot stores the sensor gateway's occupancy reading for a zone.
// Readings older than the hold are useless to the signage, so they expire.
func (s *Server) sensorSnapshot(w http.ResponseWriter, r *http.Request, b *bindings) error {
	if r.Header.Get("X-Gateway-Key") != setting(r.Context(), "GATEWAY_KEY", "") {
		return fail(http.StatusForbidden, "unknown gateway")
	}
	var reading struct{ Occupied int }
	if err := json.NewDecoder(r.Body).Decode(&reading); err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	opts := &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(snapshotHold).Unix()), // EXPECT kvttl
	}
	if err := b.zones.PutString("live:"+r.PathValue("zone"), strconv.Itoa(reading.Occupied), opts); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// holdBay reserves an EV charging bay while the driver confirms on the
// meter.
func (s *Server) holdBay(w http.ResponseWriter, r *http.Request, b *bindings) error {
	var req struct {
		Plate   string
		Confirm bool
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Plate == "" {
		return fail(http.StatusBadRequest, "plate required")
	}
	opts := &cloudflare.KVNamespacePutOptions{}
	if req.Confirm {
		opts.ExpirationTTL = 4 * 3600
	} else {
		opts.ExpirationTTL = 30 // EXPECT kvttl
	}
	if err := b.zones.PutString("hold:"+r.PathValue("bay"), req.Plate, opts); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// zoneDirectory serves one page of the public zone directory with each
// zone's rules inline; the client follows the cursor.
func (s *Server) zoneDirectory(w http.ResponseWriter, r *http.Request, b *bindings) error {
	res, err := b.zones.List(&cloudflare.KVNamespaceListOptions{Prefix: "rules:", Limit: 50, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	zones := make([]json.RawMessage, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := b.zones.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil {
			return err
		}
		if raw != kvMissing && k.Name != "rules:version" {
			zones = append(zones, json.RawMessage(raw))
		}
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	return writeJSON(w, http.StatusOK, map[string]any{"zones": zones, "cursor": next})
}

// liveMap returns one page of zones that have a current sensor reading.
func (s *Server) liveMap(w http.ResponseWriter, r *http.Request, b *bindings) error {
	res, err := b.zones.List(&cloudflare.KVNamespaceListOptions{
		Prefix: "live:",
		Limit:  2000, // EXPECT kvlimits
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, "live:"))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"zones": ids, "cursor": res.Cursor, "complete": res.ListComplete})
}
