package stats

import (
	"context"
	"strconv"
	"time"

	"example.com/orchard/internal/kvstore"
)

// GrowerCounter is the grower database.
type GrowerCounter interface {
	ActiveGrowers(ctx context.Context) (int, error)
}

// PublishGrowerCount copies the number of active growers from the database
// to KV for the marketing site's footer.
func PublishGrowerCount(ctx context.Context, store kvstore.Store, db GrowerCounter) error {
	n, err := db.ActiveGrowers(ctx)
	if err != nil {
		return err
	}
	return store.Put(ctx, "site/growers/count", []byte(strconv.Itoa(n)), kvstore.PutOptions{TTL: 6 * time.Hour}) // DEBATABLE kvcounter
}
