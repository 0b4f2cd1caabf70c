package fleet

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/platform/codec"
	"example.com/caravan/internal/storage"
)

// ShipmentRepo stores shipments. It embeds the generic typed repository and
// replaces Save with one that stamps the version.
type ShipmentRepo struct {
	storage.Typed[Shipment]
}

// NewShipmentRepo returns a ShipmentRepo on st.
func NewShipmentRepo(st storage.Store) *ShipmentRepo {
	return &ShipmentRepo{Typed: storage.NewTyped[Shipment](st, codec.JSON[Shipment]{})}
}

// Find loads one shipment.
func (r *ShipmentRepo) Find(ctx context.Context, tenant, id string) (Shipment, error) {
	return r.Typed.Load(ctx, keys.Shipment{Tenant: tenant, ID: id}.String())
}

// Save writes s under its key and increments its version.
func (r *ShipmentRepo) Save(ctx context.Context, s Shipment) error {
	s.Version++
	return r.Typed.Save(ctx, keys.Shipment{Tenant: s.Tenant, ID: s.ID}.String(), s, 0)
}

// DriverRepo reads driver profiles and the per-depot availability index that
// the rostering service maintains, and registers vehicle plates.
type DriverRepo struct {
	storage.Typed[Driver]
}

// NewDriverRepo returns a DriverRepo on st.
func NewDriverRepo(st storage.Store) *DriverRepo {
	return &DriverRepo{Typed: storage.NewTyped[Driver](st, codec.JSON[Driver]{})}
}

func availPrefix(tenant, depot string) string { return "avail:" + tenant + ":" + depot + ":" }

// Find loads one driver.
func (r *DriverRepo) Find(ctx context.Context, tenant, id string) (Driver, error) {
	return r.Typed.Load(ctx, keys.Driver{Tenant: tenant, ID: id}.String())
}

// Available returns the IDs of drivers marked available at depot.
func (r *DriverRepo) Available(ctx context.Context, tenant, depot string) ([]string, error) {
	l, ok := storage.As[storage.Lister](r.Store)
	if !ok {
		return nil, storage.ErrUnsupported
	}
	prefix := availPrefix(tenant, depot)
	page, err := l.List(ctx, prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	return ids, nil
}

// ClaimPlate registers plate to driverID inside tenant.
func (r *DriverRepo) ClaimPlate(ctx context.Context, tenant, plate, driverID string) error {
	key := keys.Plate(tenant, plate)
	owner, err := r.Store.Get(ctx, key)
	switch {
	case err == nil && string(owner) == driverID:
		return nil
	case err == nil:
		return ErrPlateTaken
	case !storage.IsNotFound(err):
		return err
	}
	return r.Store.Put(ctx, key, []byte(driverID), 0) // EXPECT kvrace
}

// Positions keeps the last known position of every driver for the live map.
type Positions struct {
	st        storage.Store
	pingEvery time.Duration
}

// NewPositions returns a Positions store. pingEvery is the interval the driver
// app is configured to report at.
func NewPositions(st storage.Store, pingEvery time.Duration) *Positions {
	return &Positions{st: st, pingEvery: pingEvery}
}

// Record stores fix as driver d's latest position. The entry outlives two
// pings so that one dropped report does not blank the driver on the map.
func (p *Positions) Record(ctx context.Context, d keys.Driver, fix Fix) error {
	b, err := json.Marshal(fix)
	if err != nil {
		return err
	}
	return p.st.Put(ctx, d.Position(), b,
		max(2*p.pingEvery, 10*time.Second), // EXPECT kvttl
	)
}
