package dispatch

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/caravan/internal/fleet"
	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/platform/codec"
	"example.com/caravan/internal/storage"
	"example.com/caravan/internal/storage/uow"
)

// ErrQuotaExceeded is returned when a tenant has used its monthly shipments.
var ErrQuotaExceeded = errors.New("dispatch: monthly shipment quota exceeded")

// PlanLookup returns the monthly shipment allowance of a tenant.
type PlanLookup interface {
	MonthlyShipments(ctx context.Context, tenant string) (int64, error)
}

// Service holds the dependencies of the dispatch handlers.
type Service struct {
	Store     storage.Store
	Shipments *fleet.ShipmentRepo
	Drivers   *fleet.DriverRepo
	Plans     PlanLookup
	Clock     clock.Clock
	Bus       *Bus
}

// Register installs the service's handlers on its bus.
func (s *Service) Register() {
	Handle(s.Bus, s.createShipment)
	Handle(s.Bus, s.assignDriver)
	Handle(s.Bus, s.transition)
	Handle(s.Bus, s.registerVehicle)
}

func newID(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:16])
}

func quotaKey(tenant string, t time.Time) string {
	return "quota:" + tenant + ":" + keys.Month(t) + ":shipments"
}

func (s *Service) createShipment(ctx context.Context, cmd CreateShipment) (sh fleet.Shipment, err error) {
	now := s.Clock.Now()
	w := uow.Begin(s.Store)
	defer w.Finish(ctx, &err)

	allowance, err := s.Plans.MonthlyShipments(ctx, cmd.Tenant)
	if err != nil {
		return sh, err
	}
	qk := quotaKey(cmd.Tenant, now)
	var used int64
	if raw, gerr := w.Get(ctx, qk); gerr == nil {
		used, err = codec.Int64{}.Decode(raw)
	} else if !storage.IsNotFound(gerr) {
		err = gerr
	}
	if err != nil {
		return sh, err
	}
	if used >= allowance {
		return sh, ErrQuotaExceeded
	}
	next, _ := codec.Int64{}.Encode(used + 1)
	if err = w.Put(ctx, qk, next, 40*24*time.Hour); err != nil { // EXPECT kvcounter
		return sh, err
	}

	sh = fleet.Shipment{
		Tenant: cmd.Tenant, ID: newID("shp_"), TrackingID: newID("CV"), Customer: cmd.Customer,
		Depot: cmd.Depot, Pickup: cmd.Pickup, DropOff: cmd.DropOff, WeightKg: cmd.WeightKg,
		Status: fleet.StatusCreated, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	body, _ := json.Marshal(sh)
	view, _ := json.Marshal(sh.View())
	if err = w.Put(ctx, keys.Shipment{Tenant: sh.Tenant, ID: sh.ID}.String(), body, 0); err == nil {
		err = w.Put(ctx, keys.Tracking(sh.TrackingID), view, 90*24*time.Hour)
	}
	return sh, err
}

func (s *Service) assignDriver(ctx context.Context, cmd AssignDriver) (fleet.Shipment, error) {
	drv, err := s.Drivers.Find(ctx, cmd.Tenant, cmd.DriverID)
	if err != nil {
		return fleet.Shipment{}, fmt.Errorf("assign: driver %s: %w", cmd.DriverID, err)
	}
	if !drv.Available {
		return fleet.Shipment{}, fmt.Errorf("assign: driver %s is off shift", drv.ID)
	}
	w := uow.Begin(s.Store)
	key := keys.Driver{Tenant: cmd.Tenant, ID: cmd.DriverID}.Assignments()
	var run []string
	raw, err := w.Get(ctx, key)
	if err == nil {
		err = json.Unmarshal(raw, &run)
	} else if storage.IsNotFound(err) {
		err = nil
	}
	if err != nil {
		return fleet.Shipment{}, err
	}
	if slices.Contains(run, cmd.ShipmentID) {
		return s.Shipments.Find(ctx, cmd.Tenant, cmd.ShipmentID)
	}
	b, _ := json.Marshal(append(run, cmd.ShipmentID))
	if err := w.Put(ctx, key, b, 0); err != nil { // EXPECT kvrace
		return fleet.Shipment{}, err
	}
	if err := w.Commit(ctx); err != nil {
		return fleet.Shipment{}, err
	}
	return Send[fleet.Shipment](ctx, s.Bus, TransitionShipment{
		Tenant: cmd.Tenant, ShipmentID: cmd.ShipmentID, To: fleet.StatusAssigned,
		Actor: cmd.Actor, DriverID: cmd.DriverID, Source: "dispatch",
	})
}

func (s *Service) transition(ctx context.Context, cmd TransitionShipment) (fleet.Shipment, error) {
	sh, err := s.Shipments.Find(ctx, cmd.Tenant, cmd.ShipmentID)
	if err != nil {
		return fleet.Shipment{}, err
	}
	ev := fleet.Event{At: s.Clock.Now(), Actor: cmd.Actor, Note: cmd.Note, Source: cmd.Source}
	if err := sh.Transition(cmd.To, ev); err != nil {
		return fleet.Shipment{}, err
	}
	if cmd.To == fleet.StatusAssigned {
		sh.Driver = cmd.DriverID
	}
	if err := s.Shipments.Save(ctx, sh); err != nil { // EXPECT kvrace
		return fleet.Shipment{}, err
	}
	view, _ := json.Marshal(sh.View())
	return sh, s.Store.Put(ctx, keys.Tracking(sh.TrackingID), view, 90*24*time.Hour)
}

func (s *Service) registerVehicle(ctx context.Context, cmd RegisterVehicle) (string, error) {
	if strings.TrimSpace(cmd.Plate) == "" {
		return "", errors.New("register vehicle: empty plate")
	}
	return keys.Plate(cmd.Tenant, cmd.Plate), s.Drivers.ClaimPlate(ctx, cmd.Tenant, cmd.Plate, cmd.DriverID)
}
