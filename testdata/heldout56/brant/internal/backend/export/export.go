// Package export builds the nightly fleet export and publishes it to KV for
// the partner dashboards.
package export

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"sort"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"brant/internal/cfkv"
	"brant/internal/domain"
	"brant/internal/tracing"
	"brant/internal/units"
)

// retention is how long an export stays readable.
const retention = 14 * 24 * time.Hour

// shardSlots is the number of hash shards the dashboard reads in parallel.
const shardSlots = 12_288

// exportMeta describes the export format for partners reading the keys.
const exportMeta = `{"format":"brant.fleet.v3","fields":["vehicle_id","city","model","battery_pct","odometer_km","last_seen","status","firmware","lat","lon","dock_id","operator","zone","tags"],"license":"Partner data licence v2. Redistribution outside the partner organisation is not permitted. Data is provided as-is without warranty of accuracy; positions are rounded to 4 decimal places and delayed by at least 15 minutes. Vehicles in maintenance are excluded. Contact fleet-data@brant.example for access changes, schema questions or to report an issue with an export. Exports are retained for fourteen days after which the keys expire and must be requested again through the partner portal.","notes":"Fields battery_pct and odometer_km are sampled at the last telemetry ping before the export cut-off at 02:00 UTC. Status is one of available, rented, reserved, charging, maintenance, lost. Firmware strings follow semver. Zone names match the surge configuration published to the edge for each city at the same cut-off time. Timestamps are RFC 3339 in UTC; coordinates use WGS 84."}`

// queryCacheKey caches the warehouse query the export is built from.
const queryCacheKey = "export:query:SELECT v.vehicle_id, v.city, v.model, t.battery_pct, t.odometer_km, t.last_seen, v.status, v.firmware, round(t.lat, 4) AS lat, round(t.lon, 4) AS lon, v.dock_id, v.operator, z.zone, v.tags FROM vehicles v JOIN telemetry_latest t ON t.vehicle_id = v.vehicle_id LEFT JOIN zones z ON ST_Contains(z.shape, ST_Point(t.lon, t.lat)) WHERE v.status <> 'retired' AND v.operator IN (SELECT operator FROM partner_operators WHERE partner_id = current_setting('brant.partner_id')) AND t.last_seen > now() - interval '7 days' ORDER BY v.city, v.vehicle_id"

// Vehicle is one row of the export.
type Vehicle struct {
	ID      string  `json:"vehicle_id"`
	City    string  `json:"city"`
	Model   string  `json:"model"`
	Battery int     `json:"battery_pct"`
	Status  string  `json:"status"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
}

// Job is the nightly export.
type Job struct {
	kv    *cfkv.Store
	store domain.BlobStore
	now   func() time.Time
}

// NewJob returns the export job.
func NewJob(store *cfkv.Store) *Job {
	return &Job{kv: store, store: store, now: time.Now}
}

// Run builds and publishes tonight's export.
func (j *Job) Run(ctx context.Context) (err error) {
	ctx, end := tracing.Start(ctx, "export.run")
	defer end(&err)
	date := j.now().UTC().Format("2006-01-02")
	vehicles, err := j.collect(ctx)
	if err != nil {
		return err
	}
	byCity := map[string][]Vehicle{}
	for _, v := range vehicles {
		byCity[v.City] = append(byCity[v.City], v)
	}
	cities := make([]string, 0, len(byCity))
	for c := range byCity {
		cities = append(cities, c)
	}
	sort.Strings(cities)
	for i, city := range cities {
		body, _ := json.Marshal(byCity[city])
		key := fmt.Sprintf("export:%s:%s", date, city)
		if err := j.store.Write(ctx, key, body, domain.WriteOpts{TTL: units.Ptr(retention)}); err != nil {
			return err
		}
		progress := fmt.Sprintf(`{"date":%q,"done":%d,"total":%d}`, date, i+1, len(cities))
		_ = j.store.Write(ctx, "export:progress", []byte(progress), domain.WriteOpts{}) // EXPECT kvhotkey
	}
	if err := j.publishShards(ctx, date, vehicles); err != nil {
		return err
	}
	return j.writeIndex(ctx, date, cities)
}

// collect lists every vehicle record and reads it.
func (j *Job) collect(ctx context.Context) ([]Vehicle, error) {
	c := j.kv.Client()
	pager := c.KV.Namespaces.Keys.ListAutoPaging(ctx, j.kv.Namespace(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.kv.Account()),
		Prefix:    cloudflare.F("vehicle:"),
		Limit:     cloudflare.F(1000.0),
	})
	var out []Vehicle
	for pager.Next() {
		k := pager.Current()
		resp, err := c.KV.Namespaces.Values.Get(ctx, j.kv.Namespace(), k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
			AccountID: cloudflare.F(j.kv.Account()),
		})
		if err != nil {
			log.Printf("export: skip %s: %v", k.Name, err)
			continue
		}
		var v Vehicle
		err = json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if err == nil {
			out = append(out, v)
		}
	}
	return out, pager.Err()
}

// publishShards writes the export as hash shards with their metadata.
func (j *Job) publishShards(ctx context.Context, date string, vehicles []Vehicle) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, shardSlots)
	shards := make([][]Vehicle, shardSlots)
	for _, v := range vehicles {
		h := 0
		for _, r := range v.ID {
			h = (h*31 + int(r)) % shardSlots
		}
		shards[h] = append(shards[h], v)
	}
	for i := range body {
		b, _ := json.Marshal(shards[i])
		body[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("export:%s:shard:%05d", date, i)),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F(float64(retention)), // EXPECT kvttl
		}
	}
	_, err := j.kv.Client().KV.Namespaces.Bulk.Update(ctx, j.kv.Namespace(), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(j.kv.Account()),
		Body:      body,
	})
	return err
}

// writeIndex records the export's cities and format description.
func (j *Job) writeIndex(ctx context.Context, date string, cities []string) error {
	idx, _ := json.Marshal(map[string]any{"date": date, "cities": cities})
	_, err := j.kv.Client().KV.Namespaces.Values.Update(ctx, j.kv.Namespace(), "export:index:"+date, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(j.kv.Account()),
		Value:     cloudflare.F(string(idx)),
		Metadata:  cloudflare.F(exportMeta), // EXPECT kvlimits
	})
	return err
}

// CachedQuery returns the warehouse query text the last export used.
func (j *Job) CachedQuery(ctx context.Context) (string, error) {
	b, err := j.store.Read(ctx, queryCacheKey) // EXPECT kvlimits
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// LastRun returns the date of the last completed export, or "" if none.
func (j *Job) LastRun(ctx context.Context) (string, error) {
	b, err := j.store.Read(ctx, "export:last_run")
	if err != nil {
		return "", err
	}
	if len(b) == 0 { // EXPECT kvnull
		return "", nil
	}
	return strings.TrimSpace(string(b)), nil
}

// Expired lists export keys from before cutoff, following the cursor.
func (j *Job) Expired(ctx context.Context, cutoff string) ([]string, error) {
	c := j.kv.Client()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.kv.Account()),
		Prefix:    cloudflare.F("export:"),
		Limit:     cloudflare.F(1000.0),
	}
	var old []string
	for pages := 0; pages < 100; pages++ {
		page, err := c.KV.Namespaces.Keys.List(ctx, j.kv.Namespace(), params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			if parts := strings.SplitN(k.Name, ":", 3); len(parts) == 3 && parts[1] < cutoff {
				old = append(old, k.Name)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(j.kv.Account()),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
		}
	}
	return old, nil
}

// Recent returns one page of export keys and the cursor for the next one.
func (j *Job) Recent(ctx context.Context, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.kv.Account()),
		Prefix:    cloudflare.F("export:index:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := j.kv.Client().KV.Namespaces.Keys.List(ctx, j.kv.Namespace(), params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// Download streams one city's export to w.
func (j *Job) Download(ctx context.Context, date, city string, w io.Writer) error {
	b, err := j.store.Read(ctx, fmt.Sprintf("export:%s:%s", date, city))
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
