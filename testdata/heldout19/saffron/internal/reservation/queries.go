package reservation

import (
	"context"
	"strings"
	"time"

	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/store"
)

// Queries answers read-only questions about holds for the floor plan.
type Queries struct {
	l        store.Lister
	pageSize int
}

// NewQueries returns a query service.
func NewQueries(l store.Lister, pageSize int) *Queries {
	return &Queries{l: l, pageSize: pageSize}
}

// HeldSlots returns one page of held slot keys for a day, plus the cursor
// for the next page ("" when done).
func (q *Queries) HeldSlots(ctx context.Context, restaurant string, day time.Time, cursor string) ([]string, string, error) {
	page, err := q.l.List(ctx, store.Query{
		Prefix: keys.HoldPrefix(restaurant, day),
		Cursor: cursor,
		Limit:  q.pageSize,
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, "hold:"))
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}
