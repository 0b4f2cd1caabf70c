// Package assign matches ready orders with nearby couriers. The decision
// logic is pure: Choose and Plan look only at their arguments and return the
// storage writes to make, which the service hands to an Executor.
package assign

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"example.com/bramble/internal/ids"
)

// Write is one storage mutation decided by the core.
type Write struct {
	Key    string
	Value  []byte
	TTL    time.Duration
	Delete bool
}

// Order is what dispatch knows about an order that needs a courier.
type Order struct {
	ID         ids.OrderID      `json:"id"`
	Restaurant ids.RestaurantID `json:"restaurant"`
	Zone       ids.ZoneID       `json:"zone"`
	Bulky      bool             `json:"bulky"`
	ReadyAt    time.Time        `json:"ready_at"`
}

// Candidate is a courier who could take the order.
type Candidate struct {
	Courier      ids.CourierID
	Zone         ids.ZoneID
	DistanceM    int
	Vehicle      string
	ActiveOrders int
	OnBreak      bool
}

// Assignment is the stored result.
type Assignment struct {
	Order      ids.OrderID   `json:"order"`
	Courier    ids.CourierID `json:"courier"`
	Vehicle    string        `json:"vehicle"`
	AssignedAt time.Time     `json:"assigned_at"`
	DistanceM  int           `json:"distance_m"`
}

// Policy tunes the matcher.
type Policy struct {
	MaxDistanceM int
	MaxStacked   int
	// VehicleTiers lists vehicle types in preference order for bulky orders.
	VehicleTiers [][]string
	HoldFor      time.Duration
}

// DefaultPolicy is used unless configuration overrides it.
var DefaultPolicy = Policy{
	MaxDistanceM: 4000,
	MaxStacked:   2,
	VehicleTiers: [][]string{{"car", "van"}, {"cargo-bike"}, {"scooter", "bike"}},
	HoldFor:      12 * time.Hour,
}

func orderKey(id ids.OrderID) string { return "assign:order:" + id.String() }

func courierKey(c ids.CourierID, o ids.OrderID) string {
	return "assign:courier:" + c.String() + ":" + o.String()
}

func loadKey(c ids.CourierID) string { return "courier:load:" + c.String() }

// Choose picks the closest eligible courier. Bulky orders walk the vehicle
// tiers in order and settle for the first tier that has anyone eligible.
func Choose(o Order, cands []Candidate, p Policy) (best Candidate, ok bool) {
	sorted := slices.SortedFunc(slices.Values(cands), func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.DistanceM, b.DistanceM), cmp.Compare(a.ActiveOrders, b.ActiveOrders))
	})
	tiers := p.VehicleTiers
	if !o.Bulky {
		tiers = [][]string{nil}
	}
tiers:
	for _, tier := range tiers {
		for _, c := range sorted {
			switch {
			case c.OnBreak, c.Zone != o.Zone:
				continue
			case c.DistanceM > p.MaxDistanceM:
				continue tiers
			case c.ActiveOrders >= p.MaxStacked:
				continue
			case tier != nil && !slices.Contains(tier, c.Vehicle):
				continue
			}
			best, ok = c, true
			break tiers
		}
	}
	return best, ok
}

// Plan returns the writes that record the assignment.
func Plan(o Order, c Candidate, now time.Time, p Policy) (Assignment, []Write) {
	a := Assignment{Order: o.ID, Courier: c.Courier, Vehicle: c.Vehicle, AssignedAt: now.UTC(), DistanceM: c.DistanceM}
	body, _ := json.Marshal(a)
	return a, []Write{
		{Key: orderKey(o.ID), Value: body, TTL: p.HoldFor},
		{Key: courierKey(c.Courier, o.ID), Value: []byte(o.Restaurant), TTL: p.HoldFor},
	}
}
