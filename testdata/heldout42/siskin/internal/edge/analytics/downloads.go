//go:build js && wasm

// Package analytics counts episode downloads at the edge and redirects the
// listener to the audio file on the CDN.
package analytics

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/siskinfm/siskin/internal/edgekv"
)

// DayStats is the download tally of one episode on one UTC day.
type DayStats struct {
	Downloads int            `json:"downloads"`
	Apps      map[string]int `json:"apps"`
	Countries map[string]int `json:"countries"`
}

// lastDownload is shown on the public "live" widget.
type lastDownload struct {
	ShowID    string    `json:"show"`
	EpisodeID string    `json:"episode"`
	Country   string    `json:"country"`
	At        time.Time `json:"at"`
}

const latestKey = "dl:latest"

// Counter serves /dl/<show>/<episode>.mp3.
type Counter struct {
	edgekv.Base
	CDN string // https://cdn.siskin.fm
}

// New returns a Counter storing tallies under "dl:".
func New(ns *edgekv.Namespace, cdn string) *Counter {
	return &Counter{Base: edgekv.Base{NS: ns, Prefix: "dl:", Life: 400 * 24 * time.Hour}, CDN: cdn}
}

func appOf(ua string) string {
	ua = strings.ToLower(ua)
	for _, app := range []string{"applepodcasts", "spotify", "overcast", "pocketcasts", "castro", "antennapod"} {
		if strings.Contains(ua, app) {
			return app
		}
	}
	return "other"
}

// dayKey returns the tally key of an episode for day t.
func (c *Counter) dayKey(show, ep string, t time.Time) string {
	return c.Key(show + ":" + ep + ":" + t.UTC().Format("20060102"))
}

// loadDay fills st from KV; a missing tally leaves st zeroed.
func (c *Counter) loadDay(ctx context.Context, key string, st *DayStats) error {
	if _, err := c.GetJSON(ctx, key, st); err != nil {
		return err
	}
	if st.Apps == nil {
		st.Apps = map[string]int{}
	}
	if st.Countries == nil {
		st.Countries = map[string]int{}
	}
	return nil
}

func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/dl/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		http.NotFound(w, r)
		return
	}
	show, ep := parts[0], strings.TrimSuffix(parts[1], ".mp3")
	target := c.CDN + "/" + show + "/" + ep + ".mp3"

	// Range requests after the first byte are the same download continuing.
	if rg := r.Header.Get("Range"); rg != "" && !strings.HasPrefix(rg, "bytes=0-") {
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	ctx := r.Context()
	country := r.Header.Get("CF-IPCountry")
	key := c.dayKey(show, ep, time.Now())
	var st DayStats
	if err := c.loadDay(ctx, key, &st); err == nil {
		st.Downloads++
		st.Apps[appOf(r.UserAgent())]++
		st.Countries[country]++
		_ = c.PutJSON(ctx, key, st) // EXPECT kvcounter|kvrace
	}
	_ = c.PutJSONFor(ctx, latestKey, lastDownload{ShowID: show, EpisodeID: ep, Country: country, At: time.Now()}, time.Hour) // EXPECT kvhotkey
	http.Redirect(w, r, target, http.StatusFound)
}

// EpisodeTotal sums the daily tallies of an episode for the dashboard.
func (c *Counter) EpisodeTotal(ctx context.Context, show, ep string) (int, error) {
	opts := &kv.ListOptions{Prefix: c.Key(show + ":" + ep + ":")}
	total := 0
	for {
		res, err := c.NS.List(opts) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range res.Keys {
			raw, err := c.NS.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return 0, err
			}
			if raw == edgekv.Missing {
				continue
			}
			var st DayStats
			if err := json.Unmarshal([]byte(raw), &st); err != nil {
				return 0, err
			}
			total += st.Downloads
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return total, nil
}

// Widget serves the public "live" widget.
func (c *Counter) Widget(w http.ResponseWriter, r *http.Request) {
	var last lastDownload
	ok, err := c.GetJSON(r.Context(), latestKey, &last)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(last)
}
