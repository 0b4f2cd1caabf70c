package dispatch

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"example.com/caravan/internal/fleet"
	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/storage"
)

// Candidate is a driver who could take a pickup.
type Candidate struct {
	DriverID   string  `json:"driver_id"`
	DistanceKm float64 `json:"distance_km"`
}

// Matcher ranks available drivers by distance to a pickup.
type Matcher struct {
	Settings storage.Reader
	Store    storage.Store
	Drivers  *fleet.DriverRepo
}

const radiusSetting = "cfg:dispatch-radius-km"

func (m *Matcher) radiusKm(ctx context.Context) (int, error) {
	raw, err := m.Settings.Get(ctx, radiusSetting) // EXPECT kvnull
	if err != nil && !storage.IsNotFound(err) {
		return 0, err
	}
	km, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return km, nil
}

// Candidates returns the available drivers of depot within the configured
// radius of pickup, nearest first.
func (m *Matcher) Candidates(ctx context.Context, tenant, depot string, pickup fleet.Address) ([]Candidate, error) {
	radius, err := m.radiusKm(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := m.Drivers.Available(ctx, tenant, depot)
	if err != nil {
		return nil, err
	}
	posKeys := make([]string, len(ids))
	for i, id := range ids {
		posKeys[i] = keys.Driver{Tenant: tenant, ID: id}.Position()
	}
	fixes, err := storage.GetAll(ctx, m.Store, posKeys)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for i, id := range ids {
		raw, ok := fixes[posKeys[i]]
		if !ok {
			continue
		}
		var fix fleet.Fix
		if err := json.Unmarshal(raw, &fix); err != nil {
			continue
		}
		d := distanceKm(pickup.Lat, pickup.Lng, fix.Lat, fix.Lng)
		if d <= float64(radius) {
			out = append(out, Candidate{DriverID: id, DistanceKm: math.Round(d*10) / 10})
		}
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), strings.Compare(a.DriverID, b.DriverID))
	})
	return out, nil
}

// distanceKm is the equirectangular approximation, good enough inside a
// dispatch radius.
func distanceKm(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	x := (lng2 - lng1) * rad * math.Cos((lat1+lat2)/2*rad)
	return 6371 * math.Hypot(x, (lat2-lat1)*rad)
}
