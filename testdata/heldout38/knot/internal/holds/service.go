//go:build js && wasm

package holds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/boxoffice/knot/internal/edgekv"
	"github.com/boxoffice/knot/internal/retry"
)

// ErrSeatTaken is returned when another buyer already holds the seat.
var ErrSeatTaken = errors.New("holds: seat already held")

// now is the package time source; tests pin it.
var now = time.Now

// Service manages seat holds in the HOLDS namespace.
type Service struct {
	store   *edgekv.Store
	breaker *retry.Breaker
}

// New returns a hold service.
func New(store *edgekv.Store) *Service {
	return &Service{store: store, breaker: retry.NewBreaker(5, 30*time.Second)}
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// cleanups collects compensating actions run when a multi-seat hold fails
// half way.
type cleanups []func(context.Context)

func (c *cleanups) add(f func(context.Context)) { *c = append(*c, f) }

func (c *cleanups) run(ctx context.Context) {
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i](context.WithoutCancel(ctx))
	}
	*c = nil
}

// Place holds seats for buyer until the given time. All seats of a cart share
// one deadline, so seats added later lapse with the first ones.
func (s *Service) Place(ctx context.Context, eventID, buyer string, seats []string, until time.Time) (placed []Hold, err error) {
	var undo cleanups
	defer func() {
		if err != nil {
			undo.run(ctx)
		}
	}()
	for _, seat := range seats {
		h := Hold{EventID: eventID, Seat: seat, HoldID: newID(), Buyer: buyer, ExpiresAt: until, clock: s.store.Clock()}
		if _, err := s.store.Get(ctx, h.Key()); err == nil {
			return nil, fmt.Errorf("%w: %s", ErrSeatTaken, seat)
		} else if !errors.Is(err, edgekv.ErrNotFound) {
			return nil, err
		}
		if err := edgekv.Save(ctx, s.store, h); err != nil { // EXPECT kvrace
			return nil, err
		}
		undo.add(func(ctx context.Context) { _ = edgekv.Forget(ctx, s.store, h) })
		placed = append(placed, h)
	}
	// The held figure is cosmetic; failing to update it keeps the holds.
	_ = s.bumpHeld(ctx, eventID, len(placed))
	return placed, nil
}

// bumpHeld keeps the "seats currently held" figure shown on the promoter page.
func (s *Service) bumpHeld(ctx context.Context, eventID string, n int) error {
	ns := s.store.Namespace()
	key := "heldcount:" + eventID
	return retry.Do(ctx, retry.Quick, func(ctx context.Context) error {
		raw, err := ns.GetString(key, nil) // EXPECT kvnull
		if err != nil {
			return err
		}
		cur, _ := strconv.Atoi(raw)
		return ns.PutString(key, strconv.Itoa(cur+n), nil) // EXPECT kvcounter|kvrace
	})
}

// Release drops a buyer's hold on a seat if it is still theirs.
func (s *Service) Release(ctx context.Context, eventID, seat, holdID string) error {
	h, err := edgekv.Load[Hold](ctx, s.store, "hold:"+eventID+":"+seat)
	if errors.Is(err, edgekv.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if h.HoldID != holdID {
		return ErrSeatTaken
	}
	return s.breaker.Run(ctx, func(ctx context.Context) error {
		return s.store.Delete(ctx, h.Key())
	})
}

// Held lists the holds for an event, for the box-office screen.
func (s *Service) Held(ctx context.Context, eventID string) ([]Hold, error) {
	ns := s.store.Namespace()
	res, err := ns.List(&kv.ListOptions{Prefix: "hold:" + eventID + ":"}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]Hold, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if raw == "<null>" {
			continue
		}
		var h Hold
		if err := json.Unmarshal([]byte(raw), &h); err != nil {
			continue
		}
		out = append(out, h)
	}
	return out, nil
}

// HeldSeats returns up to one page of seat names held for an event together
// with the cursor the box-office UI passes back for the next page.
func (s *Service) HeldSeats(eventID, cursor string) ([]string, string, error) {
	p := edgekv.Prefix("hold:" + eventID + ":")
	names, next, err := p.Page(s.store.Namespace(), cursor, 200)
	if err != nil {
		return nil, "", err
	}
	for i := range len(names) {
		names[i] = names[i][len(p):]
	}
	return names, next, nil
}

// Sweep reports holds that are about to lapse. It runs from the cron trigger
// and reads a bounded number of pages per tick.
func (s *Service) Sweep(ctx context.Context, eventIDs []string) (map[string]int, error) {
	soon := now().Add(time.Minute).Unix()
	counts := make(map[string]int, len(eventIDs))
	for _, id := range eventIDs {
		p := edgekv.Prefix("hold:" + id + ":")
		err := p.Each(ctx, s.store.Namespace(), 5, func(k *kv.ListKey) error {
			if k.Expiration != 0 && int64(k.Expiration) < soon {
				counts[id]++
			}
			return nil
		})
		if err != nil && !errors.Is(err, edgekv.ErrBudget) {
			return counts, err
		}
	}
	return counts, nil
}

// OfferSeat offers a released seat to a waitlisted buyer.
func (s *Service) OfferSeat(ctx context.Context, eventID, seat, email string, window time.Duration) (Offer, error) {
	o := Offer{EventID: eventID, Seat: seat, Email: email, Until: s.store.Clock().Now().Add(window), clock: s.store.Clock()}
	return o, edgekv.Save(ctx, s.store, o)
}

// SeatMapFor returns the cached seat map, or loads it through load on a miss.
func (s *Service) SeatMapFor(ctx context.Context, eventID string, load func(context.Context, string) (SeatMap, error)) (SeatMap, error) {
	m, err := retry.Value(ctx, retry.Quick, func(ctx context.Context) (SeatMap, error) {
		return edgekv.Load[SeatMap](ctx, s.store, "seatmap:"+eventID)
	})
	if err == nil {
		return m, nil
	}
	if !errors.Is(err, edgekv.ErrNotFound) {
		return SeatMap{}, err
	}
	m, err = load(ctx, eventID)
	if err != nil {
		return SeatMap{}, err
	}
	return m, edgekv.Save(ctx, s.store, m)
}
