package geocode

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"example.com/curlew/internal/flags"
	"example.com/curlew/internal/kv"
)

// The depot grid divides a depot's area into cells that map to the nearest
// loading bay, so routing can skip a geometry query per stop.
const (
	gridSide   = 120
	gridCellKm = 0.25
)

type cell struct {
	Bay  string  `json:"bay"`
	Dist float64 `json:"dist_km"`
}

// WarmGrid writes the bay of every cell of the depot grid around centre.
func (c *Cache) WarmGrid(ctx context.Context, depotID string, centre Point, bays map[string]Point) error {
	entries := make([]kv.Entry, 0, gridSide*gridSide)
	for row := range gridSide {
		for col := range gridSide {
			p := Point{
				Lat: centre.Lat + (float64(row-gridSide/2)*gridCellKm)/111.0,
				Lng: centre.Lng + (float64(col-gridSide/2)*gridCellKm)/(111.0*math.Cos(centre.Lat*math.Pi/180)),
			}
			bay, dist := nearest(p, bays)
			val, _ := json.Marshal(cell{Bay: bay, Dist: dist})
			entries = append(entries, kv.Entry{Key: fmt.Sprintf("grid:%s:%03d:%03d", depotID, row, col), Value: val, TTL: 30 * 24 * time.Hour})
		}
	}
	if c.flags.Enabled(ctx, flags.GeocodeBulkWarm) {
		return kv.PutAll(ctx, c.bulk, entries)
	}
	return c.bulk.PutMany(ctx, entries) // EXPECT kvlimits
}

func nearest(p Point, bays map[string]Point) (string, float64) {
	best, bestD := "", math.Inf(1)
	for name, b := range bays {
		d := math.Hypot((p.Lat-b.Lat)*111.0, (p.Lng-b.Lng)*111.0*math.Cos(p.Lat*math.Pi/180))
		if d < bestD {
			best, bestD = name, d
		}
	}
	return best, bestD
}

// BiasedDistance scales a straight-line distance by the depot's road bias,
// an operator-tuned factor that accounts for rivers and one-way systems.
func (c *Cache) BiasedDistance(ctx context.Context, depotID string, km float64) float64 {
	get := c.store.Get
	raw, _ := get(ctx, "geo-bias:"+depotID) // EXPECT kvnull
	bias, _ := strconv.ParseFloat(string(raw), 64)
	return km * bias
}
