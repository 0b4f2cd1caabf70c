// Package waitroom runs the virtual queue in front of a ticket drop: fans
// join, get a position, poll how far they are from the front, and are
// admitted in batches by the scheduled task.
package waitroom

import (
	"context"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/stampede"
	"example.com/wharf/internal/storage"
)

// DropSource is the authoritative drop catalogue (D1).
type DropSource interface {
	Get(ctx context.Context, id string) (domain.Drop, error)
	Upcoming(ctx context.Context, query string, args ...any) ([]domain.Drop, error)
}

// PositionAllocator hands out queue positions.
type PositionAllocator interface {
	NextPosition(ctx context.Context, drop string) (domain.Position, error)
}

// upcomingDropsSQL lists drops that are on sale now or open within the day.
const upcomingDropsSQL = `
SELECT d.id, d.artist, d.venue, d.on_sale_at, d.closes_at, d.checkout_window_s,
       d.capacity, d.admit_per_minute, COALESCE(d.experiment, '')
  FROM drops AS d
  JOIN venues AS v ON v.id = d.venue_id
 WHERE d.closes_at > unixepoch()
   AND d.on_sale_at < unixepoch() + 86400
   AND d.status IN ('scheduled', 'on_sale')
   AND v.region IN (SELECT region FROM edge_regions WHERE enabled = 1)
   AND NOT EXISTS (SELECT 1 FROM drop_blackouts AS b
                    WHERE b.drop_id = d.id AND b.ends_at > unixepoch())
 ORDER BY d.on_sale_at ASC, d.artist ASC, d.id ASC
 LIMIT 50`

// Catalog serves drop definitions from a read-through cache over D1.
type Catalog struct {
	Store  storage.Store
	Source DropSource
	TTL    time.Duration
}

// Drop returns one drop.
func (c Catalog) Drop(ctx context.Context, id string) (domain.Drop, error) {
	return stampede.ReadThrough(ctx, c.Store, keys.Drop(id), c.TTL,
		func(ctx context.Context) (domain.Drop, error) { return c.Source.Get(ctx, id) })
}

// Upcoming returns the drops open now or later today.
func (c Catalog) Upcoming(ctx context.Context) ([]domain.Drop, error) {
	return stampede.ReadThrough(ctx, c.Store,
		"sql:"+upcomingDropsSQL, // EXPECT kvlimits
		c.TTL,
		func(ctx context.Context) ([]domain.Drop, error) { return c.Source.Upcoming(ctx, upcomingDropsSQL) })
}

// kvPositions allocates positions from a packed integer in the store. It is
// the fallback when the room counter binding is not configured.
type kvPositions struct {
	store storage.Store
}

// KVPositions returns a PositionAllocator over the store.
func KVPositions(s storage.Store) PositionAllocator { return kvPositions{store: s} }

func (p kvPositions) NextPosition(ctx context.Context, drop string) (domain.Position, error) {
	return storage.Incr[domain.Position](ctx, p.store, keys.QueueTail(drop), 1, 0)
}
