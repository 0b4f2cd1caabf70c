// Package holds keeps short seat holds through stacks of the port's
// decorators: a lifetime under a minute is fine only where a floor layer
// raises it.
package holds

import (
	"context"
	"time"

	"kvlint.test/ports/layers"
	"kvlint.test/ports/records"
	"kvlint.test/ports/slots"
	"kvlint.test/ports/store"
)

const holdFor = 30 * time.Second

type Service struct {
	holds, quick, drafts, low store.Store
}

func New(st store.Store) *Service {
	return &Service{
		holds:  layers.Stack(st, layers.WithPrefix("hold:"), layers.WithTTLFloor(time.Minute)),
		quick:  layers.AtLeastMinute(layers.Stack(st, layers.WithPrefix("quick:"))),
		drafts: layers.Stack(st, layers.WithPrefix("draft:")),
		low:    layers.Stack(st, layers.WithTTLFloor(20*time.Second)),
	}
}

func (s *Service) Hold(ctx context.Context, seat string) error {
	return s.holds.Set(ctx, seat, []byte("held"), holdFor)
}

func (s *Service) Quick(ctx context.Context, seat string) error {
	return s.quick.Set(ctx, seat, []byte("held"), 45*time.Second)
}

func (s *Service) Draft(ctx context.Context, id string, body []byte) error {
	return s.drafts.Set(ctx, id, body, holdFor)
}

func (s *Service) Low(ctx context.Context, seat string) error {
	return s.low.Set(ctx, seat, []byte("held"), holdFor)
}

// Local builds its stack where it writes.
func Local(ctx context.Context, st store.Store, seat string) error {
	floored := layers.Stack(st, layers.WithTTLFloor(2*time.Minute))
	return floored.Set(ctx, seat, []byte("held"), 10*time.Second)
}

// Publish saves a slot and an offer, each for its own lifetime.
func Publish(ctx context.Context, st store.Store, s slots.Slot, o slots.Offer) error {
	if err := records.Save(ctx, st, s); err != nil {
		return err
	}
	return records.Save(ctx, st, o)
}
