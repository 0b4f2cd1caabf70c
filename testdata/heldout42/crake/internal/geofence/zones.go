//go:build js && wasm

// Package geofence answers "which zone is this point in" at the edge. Zone
// polygons are edited in the back office and cached in KV per city.
package geofence

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/crake-mobility/crake/internal/dbgen"
	"github.com/crake-mobility/crake/internal/fleet"
	"github.com/crake-mobility/crake/internal/kvstore"
)

const (
	cityCacheLifetime = 10 * time.Minute
	zoneEdgeCacheTTL  = 15
	feedLifetime      = 2 * time.Minute
)

// gbfsStationStatus is the partner transit feed we show next to our own
// scooters. The partner requires the full field list in the query.
const gbfsStationStatus = "https://gbfs.partner-transit.example/v3/en/station_status.json" +
	"?fields=station_id,num_vehicles_available,vehicle_types_available.vehicle_type_id," +
	"vehicle_types_available.count,num_vehicles_disabled,num_docks_available," +
	"vehicle_docks_available.vehicle_type_ids,vehicle_docks_available.count," +
	"num_docks_disabled,is_installed,is_renting,is_returning,last_reported," +
	"station_information.name,station_information.short_name,station_information.lat," +
	"station_information.lon,station_information.address,station_information.cross_street," +
	"station_information.region_id,station_information.post_code,station_information.capacity," +
	"station_information.is_virtual_station,station_information.parking_type" +
	"&region=metro-north,metro-south,metro-east,metro-west&format=json&lang=en"

// Lookup is the answer for one point.
type Lookup struct {
	City  string       `json:"city"`
	Zones []fleet.Zone `json:"zones"`
	Hits  []string     `json:"hits"`
}

// Rules are per-zone riding rules that the scooter firmware enforces.
type Rules struct {
	MaxKPH     int  `json:"maxKph"`
	NoParking  bool `json:"noParking"`
	NightClose bool `json:"nightClose"`
}

// Cache serves zones per city, reading through to the fleet API.
type Cache struct {
	kvstore.Base
	Store   *kvstore.Store
	Queries *dbgen.Queries
	Origin  kvstore.Loader

	views sync.Map // zone ID -> *atomic.Int64
}

// NewCache returns a zone cache on st that loads missing cities from
// the fleet API at originBase.
func NewCache(st *kvstore.Store, q *dbgen.Queries, originBase string) *Cache {
	c := &Cache{
		Base:    kvstore.Base{Prefix: "zones-city:", Lifetime: cityCacheLifetime, NS: st.Namespace()},
		Store:   st,
		Queries: q,
	}
	c.Origin = kvstore.ReadThrough{
		Store:  st,
		TTL:    cityCacheLifetime,
		Source: kvstore.LoaderFunc(func(ctx context.Context, key string) ([]byte, error) { return fetchOrigin(ctx, originBase, key) }),
	}
	return c
}

func fetchOrigin(ctx context.Context, base, key string) ([]byte, error) {
	req, err := fetch.NewRequest(ctx, http.MethodGet, base+"/internal/zones?key="+key, nil)
	if err != nil {
		return nil, err
	}
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("geofence: origin %s: %s", key, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 8<<20))
}

// decodeInto fills dst.Zones from a cached city document.
func decodeInto(raw []byte, dst *Lookup) error {
	return json.Unmarshal(raw, &dst.Zones)
}

// ZonesAt fills dst with the zones of city that contain p.
func (c *Cache) ZonesAt(ctx context.Context, city string, p fleet.Point, dst *Lookup) error {
	dst.City = city
	key := c.Key(city)
	raw, err := c.NS.GetString(key, &kv.GetOptions{
		CacheTTL: zoneEdgeCacheTTL, // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	var body []byte
	if raw == "" { // EXPECT kvnull
		if body, err = c.Origin.Load(ctx, key); err != nil {
			return err
		}
	} else {
		body = []byte(raw)
	}
	if err := decodeInto(body, dst); err != nil {
		return err
	}
	for _, z := range dst.Zones {
		if z.Contains(p) {
			dst.Hits = append(dst.Hits, z.ID)
			c.countView(z.ID)
		}
	}
	return nil
}

// CityZones returns the whole city document, used by the rider app's map.
func (c *Cache) CityZones(ctx context.Context, city string, dst *Lookup) error {
	body, err := c.Origin.Load(ctx, c.Key(city))
	if err != nil {
		return err
	}
	dst.City = city
	return decodeInto(body, dst)
}

// RulesFor fills dst with the riding rules of a zone.
func (c *Cache) RulesFor(zoneID string, dst *Rules) {
	raw, _ := c.NS.GetString("zone-rules:"+zoneID, &kv.GetOptions{CacheTTL: 120}) // EXPECT kvnull
	_ = json.Unmarshal([]byte(raw), dst)
}

// RulesOrDefault is RulesFor with an explicit fallback when a zone has no
// rules of its own.
func (c *Cache) RulesOrDefault(zoneID string, dst *Rules) error {
	var r Rules
	ok, err := c.GetJSON("zone-rules:"+zoneID, &r)
	if err != nil {
		return err
	}
	if !ok {
		r = Rules{MaxKPH: 20}
	}
	*dst = r
	return nil
}

func (c *Cache) countView(zoneID string) {
	v, _ := c.views.LoadOrStore(zoneID, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// FlushViews persists the zone view counters of this isolate. It runs on
// the scheduled trigger.
func (c *Cache) FlushViews(ctx context.Context) error {
	var firstErr error
	c.views.Range(func(k, v any) bool {
		n := v.(*atomic.Int64).Load()
		err := c.Store.PutString(ctx, "views:zone:"+k.(string), strconv.FormatInt(n, 10), 0) // EXPECT kvcounter
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return true
	})
	return firstErr
}

type polygonAdd struct {
	Polygon fleet.Polygon `json:"polygon"`
	Version int           `json:"version"`
}

// AddPolygon appends a polygon to a zone from the back-office editor.
func (c *Cache) AddPolygon(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.URL.Query().Get("zone")
	var in polygonAdd
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Polygon) < 3 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var z fleet.Zone
	ok, err := c.Queries.GetZone(ctx, id, &z)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if z.Version != in.Version {
		http.Error(w, "zone changed", http.StatusPreconditionFailed)
		return
	}
	z.Polygons = append(z.Polygons, in.Polygon)
	z.Version++
	z.UpdatedAt = time.Now().UTC()
	if err := c.Queries.PutZone(ctx, &z, 0); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("ETag", strconv.Itoa(z.Version))
	w.WriteHeader(http.StatusNoContent)
}

// Import replaces the zones of a city from a full export.
func (c *Cache) Import(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var zones []fleet.Zone
	if err := json.NewDecoder(r.Body).Decode(&zones); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	version := time.Now().Unix()
	for i := range zones {
		z := zones[i]
		z.UpdatedAt = time.Now().UTC()
		if err := c.Queries.PutZone(ctx, &z, 0); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		if err := c.Store.PutString(ctx, "zones:version", strconv.FormatInt(version, 10), 0); err != nil { // EXPECT kvhotkey
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
	}
	if len(zones) > 0 {
		if err := c.Store.Delete(ctx, c.Key(zones[0].City)); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// PartnerStations returns the partner's station feed, cached briefly.
func (c *Cache) PartnerStations(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := "gbfs:" + gbfsStationStatus // EXPECT kvlimits
	if v, ok, err := c.Store.Get(ctx, key); err == nil && ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, v)
		return
	}
	req, _ := fetch.NewRequest(ctx, http.MethodGet, gbfsStationStatus, nil)
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		http.Error(w, "partner unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		http.Error(w, "partner unavailable", http.StatusBadGateway)
		return
	}
	_ = c.Store.PutString(ctx, key, string(body), feedLifetime)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
