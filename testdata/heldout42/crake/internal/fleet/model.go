// Package fleet holds the domain types shared by the edge Worker and the
// back-office tools: scooters, geofence zones, riders and their usage.
package fleet

import (
	"strings"
	"time"
)

// ScooterStatus is the lifecycle state reported by the scooter firmware or
// set by the operations team.
type ScooterStatus string

const (
	StatusAvailable   ScooterStatus = "available"
	StatusReserved    ScooterStatus = "reserved"
	StatusInRide      ScooterStatus = "in_ride"
	StatusParked      ScooterStatus = "parked"
	StatusMaintenance ScooterStatus = "maintenance"
	StatusLost        ScooterStatus = "lost"
)

// Scooter is the edge view of one vehicle.
type Scooter struct {
	ID        string        `json:"id"`
	Model     string        `json:"model"`
	Status    ScooterStatus `json:"status"`
	Battery   int           `json:"battery"`
	Lat       float64       `json:"lat"`
	Lng       float64       `json:"lng"`
	ZoneID    string        `json:"zoneId,omitempty"`
	UpdatedAt time.Time     `json:"updatedAt"`
}

// Key is the KV key of the scooter record.
func (s *Scooter) Key() string { return "scooter:" + s.ID }

// Point is a WGS84 coordinate.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Polygon is a closed ring of points.
type Polygon []Point

// Zone is a geofence: where riding is allowed, slowed or parking forbidden.
type Zone struct {
	ID        string    `json:"id"`
	City      string    `json:"city"`
	Kind      string    `json:"kind"` // ride, slow, no_parking
	SpeedKPH  int       `json:"speedKph,omitempty"`
	Polygons  []Polygon `json:"polygons"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Key is the KV key of the zone record.
func (z *Zone) Key() string { return "zone:" + z.ID }

// Contains reports whether p lies in any of the zone's polygons.
func (z *Zone) Contains(p Point) bool {
	for _, poly := range z.Polygons {
		if poly.contains(p) {
			return true
		}
	}
	return false
}

func (poly Polygon) contains(p Point) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) &&
			p.Lng < (b.Lng-a.Lng)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lng {
			in = !in
		}
	}
	return in
}

// Rider is a customer account.
type Rider struct {
	ID        string    `json:"id"`
	Phone     string    `json:"phone"`
	Name      string    `json:"name"`
	Handle    string    `json:"handle,omitempty"`
	Plan      string    `json:"plan"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
}

// Key is the KV key of the rider record.
func (r *Rider) Key() string { return "rider:" + r.ID }

// NormalizeHandle lower-cases a public handle and strips an @ prefix.
func NormalizeHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}

// DailyUsage is how much a rider rode on one calendar day (UTC).
type DailyUsage struct {
	Rides   int       `json:"rides"`
	Minutes int       `json:"minutes"`
	LastAt  time.Time `json:"lastAt"`
}

// DayOf returns the UTC calendar day of t as YYYY-MM-DD.
func DayOf(t time.Time) string { return t.UTC().Format("2006-01-02") }

// EndOfDay returns the first instant of the UTC day after t.
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
