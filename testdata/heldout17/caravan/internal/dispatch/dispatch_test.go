package dispatch

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/caravan/internal/fleet"
	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/storage/memkv"
)

type fixedPlans int64

func (p fixedPlans) MonthlyShipments(context.Context, string) (int64, error) { return int64(p), nil }

func newService(t *testing.T, allowance int64) (*Service, *memkv.Store) {
	t.Helper()
	clk := clock.Fixed{T: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	st := memkv.New(clk)
	svc := &Service{
		Store:     st,
		Shipments: fleet.NewShipmentRepo(st),
		Drivers:   fleet.NewDriverRepo(st),
		Plans:     fixedPlans(allowance),
		Clock:     clk,
		Bus:       NewBus(),
	}
	svc.Register()
	return svc, st
}

func TestCreateAssignDeliver(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, 10)
	d := fleet.Driver{Tenant: "acme", ID: "drv_1", Name: "Ana", Depot: "north", Available: true}
	if err := svc.Drivers.Typed.Save(ctx, keys.Driver{Tenant: d.Tenant, ID: d.ID}.String(), d, 0); err != nil {
		t.Fatal(err)
	}
	sh, err := Send[fleet.Shipment](ctx, svc.Bus, CreateShipment{Tenant: "acme", Depot: "north", WeightKg: 4})
	if err != nil {
		t.Fatal(err)
	}
	sh, err = Send[fleet.Shipment](ctx, svc.Bus, AssignDriver{Tenant: "acme", ShipmentID: sh.ID, DriverID: "drv_1"})
	if err != nil {
		t.Fatal(err)
	}
	if sh.Status != fleet.StatusAssigned || sh.Driver != "drv_1" {
		t.Fatalf("after assign: %+v", sh)
	}
	_, err = Send[fleet.Shipment](ctx, svc.Bus, TransitionShipment{Tenant: "acme", ShipmentID: sh.ID, To: fleet.StatusDelivered})
	if !errors.Is(err, fleet.ErrBadTransition) {
		t.Fatalf("assigned -> delivered should be refused, got %v", err)
	}
}

func TestQuotaIsEnforced(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, 1)
	if _, err := Send[fleet.Shipment](ctx, svc.Bus, CreateShipment{Tenant: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Send[fleet.Shipment](ctx, svc.Bus, CreateShipment{Tenant: "acme"}); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("want quota error, got %v", err)
	}
}
