package wiring

import (
	"time"

	"github.com/samber/do"
	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/kvstore"
	"github.com/kokako-uni/kokako/internal/pins"
	"github.com/kokako-uni/kokako/internal/seats"
)

type storeNamespaces struct {
	dig.In

	Seats *kvstore.Namespace `name:"seats"`
	Pins  *kvstore.Namespace `name:"pins"`
}

// NewInjector builds the samber/do injector for the seat and PIN stores,
// borrowing their namespaces from the dig container, and bridges the stores
// back into the container.
func NewInjector(c *dig.Container, registrar seats.Registrar) (*do.Injector, error) {
	i := do.New()
	err := c.Invoke(func(ns storeNamespaces) {
		do.ProvideNamedValue(i, "seats", ns.Seats)
		do.ProvideNamedValue(i, "pins", ns.Pins)
	})
	if err != nil {
		return nil, err
	}
	do.ProvideValue[seats.Registrar](i, registrar)
	do.ProvideNamedValue(i, "availability-ttl", 30*time.Second) // EXPECT kvttl
	do.ProvideNamedValue(i, "claim-ttl", 10*time.Minute)
	do.ProvideNamedValue(i, "pin-ttl", 14*24*time.Hour)
	do.ProvideNamedValue(i, "pin-max-attempts", 5)
	do.Provide(i, seats.NewSeatStore)
	do.Provide(i, pins.NewStore)

	if err := c.Provide(func() *seats.SeatStore { return do.MustInvoke[*seats.SeatStore](i) }); err != nil {
		return nil, err
	}
	if err := c.Provide(func() *pins.Store { return do.MustInvoke[*pins.Store](i) }); err != nil {
		return nil, err
	}
	return i, nil
}
