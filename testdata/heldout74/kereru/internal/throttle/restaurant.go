// Package throttle limits how many orders a restaurant receives per minute,
// so a kitchen is not flooded during a promotion.
package throttle

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kereru-dispatch/kereru/internal/kvstore"
)

// ErrThrottled is returned when the restaurant is at its per-minute cap.
var ErrThrottled = errors.New("restaurant is at its order limit")

// DefaultCap applies when the restaurant has no configured cap.
const DefaultCap = 40

// Throttle checks and records orders per restaurant.
type Throttle struct {
	KV *kvstore.Client
}

func bucket(t time.Time) string { return t.UTC().Format("200601021504") }

// Cap returns the restaurant's per-minute cap. Caps are set in the partner
// portal and cached here for ten minutes.
func (t *Throttle) Cap(ctx context.Context, restaurantID string, fromPortal func(context.Context, string) (int, error)) (int, error) {
	key := "restaurant:" + restaurantID + ":cap"
	raw, err := t.KV.Get(ctx, kvstore.Throttles, key)
	if err == nil {
		if n, perr := strconv.Atoi(string(raw)); perr == nil {
			return n, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return 0, err
	}
	n, err := fromPortal(ctx, restaurantID)
	if err != nil || n <= 0 {
		n = DefaultCap
	}
	return n, t.KV.PutCached(ctx, kvstore.Throttles, key, []byte(strconv.Itoa(n)), 10*time.Minute)
}

// Admit records one order for the restaurant in the current minute and
// refuses it when the cap is reached.
func (t *Throttle) Admit(ctx context.Context, restaurantID string, limit int) error {
	key := fmt.Sprintf("throttle:restaurant:%s:%s", restaurantID, bucket(time.Now()))
	n := 0
	raw, err := t.KV.Get(ctx, kvstore.Throttles, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= limit {
		return ErrThrottled
	}
	return t.KV.PutTTL(ctx, kvstore.Throttles, key, []byte(strconv.Itoa(n+1)), 2*time.Minute) // EXPECT kvcounter|kvrace
}
