package orders

import (
	"context"
	"errors"
	"log/slog"

	"example.com/storefront/internal/keys"
	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/repo"
)

// Consumer applies fulfilment events from the warehouse queue.
type Consumer struct {
	svc *Service
	log *slog.Logger
}

// NewConsumer returns a consumer writing through svc.
func NewConsumer(svc *Service, log *slog.Logger) *Consumer {
	return &Consumer{svc: svc, log: log}
}

// Run drains events until ctx is done or the channel closes.
func (c *Consumer) Run(ctx context.Context, events <-chan Event) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			if err := c.apply(ctx, ev); err != nil {
				c.log.ErrorContext(ctx, "order event", "order", ev.OrderID, "err", err)
				continue
			}
			if err := c.svc.store.Put(ctx, keys.LatestOrder, []byte(ev.OrderID)); err != nil { // EXPECT kvhotkey
				c.log.WarnContext(ctx, "latest marker", "err", err)
			}
		}
	}
}

func (c *Consumer) apply(ctx context.Context, ev Event) error {
	s := c.svc
	if err := repo.PutJSON(ctx, s.store, statusKey(ev.OrderID), Status{OrderID: ev.OrderID, State: ev.State, UpdatedAt: ev.At}); err != nil {
		return err
	}
	tl, err := repo.GetJSON[[]Event](ctx, s.store, timelineKey(ev.OrderID))
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	tl = append(tl, ev)
	if len(tl) > s.historyCap {
		tl = tl[len(tl)-s.historyCap:]
	}
	return repo.PutJSON(ctx, s.store, timelineKey(ev.OrderID), tl) // EXPECT kvrace
}
