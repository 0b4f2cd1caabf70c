package assign

import (
	"testing"
	"time"
)

func TestChoosePrefersClosestEligible(t *testing.T) {
	o := Order{ID: "order-001", Zone: "north"}
	cands := []Candidate{
		{Courier: "busy-one", Zone: "north", DistanceM: 200, ActiveOrders: 2},
		{Courier: "on-break", Zone: "north", DistanceM: 300, OnBreak: true},
		{Courier: "south-01", Zone: "south", DistanceM: 100},
		{Courier: "free-one", Zone: "north", DistanceM: 900},
	}
	got, ok := Choose(o, cands, DefaultPolicy)
	if !ok || got.Courier != "free-one" {
		t.Fatalf("Choose = %+v, %v; want free-one", got, ok)
	}
}

func TestChooseBulkyWalksVehicleTiers(t *testing.T) {
	o := Order{ID: "order-002", Zone: "north", Bulky: true}
	cands := []Candidate{
		{Courier: "bike-near", Zone: "north", DistanceM: 100, Vehicle: "bike"},
		{Courier: "cargo-far", Zone: "north", DistanceM: 1500, Vehicle: "cargo-bike"},
	}
	got, ok := Choose(o, cands, DefaultPolicy)
	if !ok || got.Courier != "cargo-far" {
		t.Fatalf("Choose = %+v, %v; want cargo-far", got, ok)
	}
}

func TestPlanWritesBothKeys(t *testing.T) {
	o := Order{ID: "order-003", Restaurant: "rest-001", Zone: "north"}
	a, writes := Plan(o, Candidate{Courier: "courier-9"}, time.Unix(1_700_000_000, 0), DefaultPolicy)
	if a.Courier != "courier-9" || len(writes) != 2 {
		t.Fatalf("Plan = %+v, %d writes", a, len(writes))
	}
	if writes[0].Key != "assign:order:order-003" || writes[0].TTL != DefaultPolicy.HoldFor {
		t.Fatalf("first write = %+v", writes[0])
	}
}
