// Package geo maps coordinates to the dispatch grid's pricing zones.
package geo

import (
	"fmt"
	"math"
)

// cellDeg is the zone cell size in degrees (about 2.2 km at the equator).
const cellDeg = 0.02

// Zone returns the pricing zone that contains (lat, lng).
func Zone(lat, lng float64) string {
	return fmt.Sprintf("z%+05d%+06d", int(math.Floor(lat/cellDeg)), int(math.Floor(lng/cellDeg)))
}

// DistanceKM is the haversine distance between two points.
func DistanceKM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371.0
	dLat := (lat2 - lat1) * math.Pi / 180
	dLng := (lng2 - lng1) * math.Pi / 180
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*math.Pi/180)*math.Cos(lat2*math.Pi/180)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
