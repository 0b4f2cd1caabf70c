// Package courier keeps the courier-facing state: cached routes, live
// positions, delivered stops and hand-over holds.
package courier

import (
	"fmt"
	"strconv"
	"time"
)

// Stop is one pickup or drop-off.
type Stop struct {
	ID       string
	Site     string
	Lat, Lon float64
	Window   time.Time
	Cold     bool
}

// Route is an ordered list of stops for one courier shift.
type Route struct {
	ID    string
	Stops []Stop
}

// Records implements repo.Rows.
func (r Route) Records() [][]string {
	out := [][]string{{"route", r.ID}}
	for _, s := range r.Stops {
		out = append(out, []string{
			s.ID, s.Site,
			strconv.FormatFloat(s.Lat, 'f', 6, 64),
			strconv.FormatFloat(s.Lon, 'f', 6, 64),
			s.Window.UTC().Format(time.RFC3339),
			strconv.FormatBool(s.Cold),
		})
	}
	return out
}

// RouteFromRecords parses the CSV form written by Records.
func RouteFromRecords(recs [][]string) (Route, error) {
	if len(recs) == 0 || len(recs[0]) != 2 || recs[0][0] != "route" {
		return Route{}, fmt.Errorf("courier: missing route header")
	}
	r := Route{ID: recs[0][1]}
	for i, rec := range recs[1:] {
		if len(rec) != 6 {
			return Route{}, fmt.Errorf("courier: stop %d has %d fields", i, len(rec))
		}
		lat, err := strconv.ParseFloat(rec[2], 64)
		if err != nil {
			return Route{}, err
		}
		lon, err := strconv.ParseFloat(rec[3], 64)
		if err != nil {
			return Route{}, err
		}
		win, err := time.Parse(time.RFC3339, rec[4])
		if err != nil {
			return Route{}, err
		}
		r.Stops = append(r.Stops, Stop{ID: rec[0], Site: rec[1], Lat: lat, Lon: lon, Window: win, Cold: rec[5] == "true"})
	}
	return r, nil
}
