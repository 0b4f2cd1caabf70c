//go:build js && wasm

package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/piopio/greenhouse/internal/telemetry"
)

// chartSQL feeds the 7-day chart of the dashboard from D1.
const chartSQL = `SELECT r.sensor, r.metric, strftime('%Y-%m-%dT%H:00:00Z', r.hour) AS hour,
       AVG(r.mean) AS mean, MIN(r.min) AS min, MAX(r.max) AS max, SUM(r.n) AS samples
  FROM hourly_rollups AS r
  JOIN sensors AS s ON s.id = r.sensor AND s.greenhouse = r.greenhouse AND s.retired_at IS NULL
 WHERE r.greenhouse = ?1
   AND r.hour >= datetime('now', '-7 days')
   AND r.metric IN ('temp_c', 'rh_pct', 'co2_ppm', 'par_umol', 'soil_vwc')
 GROUP BY r.sensor, r.metric, strftime('%Y-%m-%dT%H:00:00Z', r.hour)
 ORDER BY r.sensor, r.metric, hour`

// Dashboard serves the operator dashboard's data endpoints.
type Dashboard struct {
	Data *Store
	DB   *sql.DB
}

type dashView struct {
	Greenhouse string            `json:"gh"`
	Views      int               `json:"views"`
	Summary    json.RawMessage   `json:"summary,omitempty"`
	Thresholds json.RawMessage   `json:"thresholds,omitempty"`
	Alerts     []telemetry.Alert `json:"alerts"`
	More       string            `json:"more,omitempty"`
}

func (d *Dashboard) Overview(w http.ResponseWriter, r *http.Request) {
	gh := r.PathValue("gh")
	raw, err := d.Data.GetString("views:"+gh, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	views, err := strconv.Atoi(raw)
	if err != nil {
		http.Error(w, "corrupt view count", http.StatusInternalServerError)
		return
	}
	if err := d.Data.PutString("views:"+gh, strconv.Itoa(views+1), nil); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = d.Data.PutString("dashboard:last-view", gh+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey

	out := dashView{Greenhouse: gh, Views: views + 1}
	if v, ok, err := d.Data.Lookup("summary:"+gh, 10); err == nil && ok { // EXPECT kvttl
		out.Summary = json.RawMessage(v)
	}
	if v, err := d.Data.GetString("thresholds:"+gh, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300}); err == nil && v != missing {
		out.Thresholds = json.RawMessage(v)
	}
	page, err := d.Data.List(&cloudflare.KVNamespaceListOptions{Prefix: "alert:" + gh + ":", Limit: 50, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for _, k := range page.Keys {
		v, err := d.Data.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || v == missing {
			continue
		}
		var a telemetry.Alert
		if json.Unmarshal([]byte(v), &a) == nil {
			out.Alerts = append(out.Alerts, a)
		}
	}
	if !page.ListComplete {
		out.More = page.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

type chartPoint struct {
	Sensor, Metric, Hour string
	Mean, Min, Max       float64
	Samples              int
}

// chartsServed counts chart requests served by this isolate.
var chartsServed int

// Chart returns the 7-day hourly chart, cached in KV for five minutes.
func (d *Dashboard) Chart(w http.ResponseWriter, r *http.Request) {
	gh := r.PathValue("gh")
	if chartsServed++; chartsServed%100 == 0 {
		_ = d.Data.PutString("stats:chart-hits:"+r.Header.Get("CF-IPCountry"), strconv.Itoa(chartsServed), nil) // EXPECT kvcounter
	}
	key := "d1:" + chartSQL + ":" + gh // EXPECT kvlimits
	if v, ok, err := d.Data.Lookup(key, 300); err == nil && ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(v))
		return
	}
	rows, err := d.DB.QueryContext(r.Context(), chartSQL, gh)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer rows.Close()
	var pts []chartPoint
	for rows.Next() {
		var p chartPoint
		if err := rows.Scan(&p.Sensor, &p.Metric, &p.Hour, &p.Mean, &p.Min, &p.Max, &p.Samples); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		pts = append(pts, p)
	}
	b, _ := json.Marshal(pts)
	_ = d.Data.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// Ack marks an alert as acknowledged by the signed-in operator.
func (d *Dashboard) Ack(w http.ResponseWriter, r *http.Request, s Session) {
	key := "alert:" + r.PathValue("gh") + ":" + r.PathValue("id")
	var a struct {
		telemetry.Alert
		AckedBy string    `json:"acked_by,omitempty"`
		AckedAt time.Time `json:"acked_at,omitempty"`
	}
	if err := d.Data.GetJSON(key, &a); err != nil {
		http.Error(w, "no such alert", http.StatusNotFound)
		return
	}
	a.AckedBy, a.AckedAt = s.Operator, time.Now().UTC()
	b, _ := json.Marshal(a)
	if err := d.Data.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 7 * 24 * 3600}); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// Claim reserves a public slug (dashboard subdomain) for a greenhouse.
func (d *Dashboard) Claim(w http.ResponseWriter, r *http.Request, s Session) {
	slug := strings.ToLower(r.PathValue("slug"))
	gh := r.FormValue("gh")
	taken, err := d.Data.GetString("slug:"+slug, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if taken != missing {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	if err := d.Data.PutString("slug:"+slug, gh, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = d.Data.PutString("views:"+gh, "0", nil)
}

// PurgeLatest removes the latest-reading entries of retired sensors.
func (d *Dashboard) PurgeLatest(ctx context.Context, retired map[string]bool) (int, error) {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "latest:"}
	n := 0
	for {
		res, err := d.Data.List(opts) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(res.Keys) == 0 {
			return n, nil
		}
		for _, k := range res.Keys {
			series := strings.TrimPrefix(k.Name, "latest:")
			if retired[series[:strings.LastIndexByte(series, ':')]] {
				if err := d.Data.Delete(k.Name); err != nil {
					return n, err
				}
				n++
			}
		}
		opts.Cursor = res.Cursor
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
}

// RetiredGateways returns gateways that have not uploaded since their stamp expired.
func (d *Dashboard) RetiredGateways() ([]string, error) {
	res, err := d.Data.List(&cloudflare.KVNamespaceListOptions{Prefix: "device:retired:", Limit: 2000}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, "device:retired:"))
	}
	if !res.ListComplete {
		return ids, errPartial
	}
	return ids, nil
}
