//go:build js && wasm

// Package inventory keeps per-night room counts and short-lived holds at the edge.
package inventory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/lakeshore-hospitality/eider/internal/domain"
	"github.com/lakeshore-hospitality/eider/internal/edgekv"
)

// ErrSoldOut is returned when a hold asks for more rooms than are free.
var ErrSoldOut = errors.New("inventory: sold out")

// HoldTTL is how long an unpaid hold keeps rooms out of sale.
const HoldTTL = 15 * time.Minute

// Inventory is one room type's count for one night. It knows its own key.
type Inventory struct {
	domain.Availability
	store *edgekv.Namespace
}

func (inv *Inventory) key() string {
	return domain.InventoryKey(inv.RoomType, inv.Date)
}

// Load reads the count for rt on date.
func Load(ctx context.Context, ns *edgekv.Namespace, rt domain.RoomTypeID, date string) (*Inventory, error) {
	inv := &Inventory{Availability: domain.Availability{RoomType: rt, Date: date}, store: ns}
	raw, ok, err := ns.Get(inv.key())
	if err != nil {
		return nil, err
	}
	if !ok {
		return inv, nil
	}
	if err := json.Unmarshal([]byte(raw), &inv.Availability); err != nil {
		return nil, fmt.Errorf("inventory %s: %w", inv.key(), err)
	}
	return inv, nil
}

// New returns an entity for a count published by the backend.
func New(ns *edgekv.Namespace, a domain.Availability) *Inventory {
	return &Inventory{Availability: a, store: ns}
}

// Save writes the entity back under its key.
func (inv *Inventory) Save(ctx context.Context) error {
	b, err := json.Marshal(inv.Availability)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return inv.store.Put(inv.key(), string(b), 0)
}

// Range loads one entity per night, each in its own goroutine.
func Range(ctx context.Context, ns *edgekv.Namespace, rt domain.RoomTypeID, nights []string) ([]*Inventory, error) {
	out := make([]*Inventory, len(nights))
	errs := make([]error, len(nights))
	var wg sync.WaitGroup
	for i, night := range nights {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = Load(ctx, ns, rt, night)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// Hold keeps rooms out of sale until the guest pays or the hold expires.
type Hold struct {
	ID       string            `json:"id"`
	RoomType domain.RoomTypeID `json:"room_type"`
	Nights   []string          `json:"nights"`
	Rooms    int               `json:"rooms"`
	Created  time.Time         `json:"created"`
}

// HoldKey is the typed handle of one hold.
func HoldKey(ns *edgekv.Namespace, id string) edgekv.Key[Hold] {
	return edgekv.NewKey[Hold](ns, "hold:"+id)
}

// NewHoldID returns a fresh random hold ID.
func NewHoldID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Place records a hold and books it against every night of the stay.
func Place(ctx context.Context, ns *edgekv.Namespace, rt domain.RoomTypeID, nights []string, rooms int) (Hold, error) {
	h := Hold{ID: NewHoldID(), RoomType: rt, Nights: nights, Rooms: rooms, Created: time.Now().UTC()}
	invs, err := Range(ctx, ns, rt, nights)
	if err != nil {
		return Hold{}, err
	}
	for _, inv := range invs {
		if inv.Free() < rooms || inv.StopSell {
			return Hold{}, fmt.Errorf("%s %s: %w", rt, inv.Date, ErrSoldOut)
		}
	}
	for _, inv := range invs {
		inv.Held += rooms
		if err := inv.Save(ctx); err != nil { // EXPECT kvrace|kvcounter
			return Hold{}, err
		}
	}
	if err := HoldKey(ns, h.ID).Store(ctx, h, HoldTTL); err != nil {
		return Hold{}, err
	}
	return h, nil
}

// Extend keeps a hold until the payment provider's deadline.
func Extend(ctx context.Context, ns *edgekv.Namespace, id string, deadline time.Time) error {
	key := HoldKey(ns, id)
	h, err := key.Load(ctx)
	if err != nil {
		return err
	}
	return key.Store(ctx, h, time.Until(deadline)) // EXPECT kvttl
}

// Renew pushes a hold's expiry out by the number of seconds the booking
// engine asked for, within the window the property allows.
func Renew(ctx context.Context, ns *edgekv.Namespace, id string, seconds string) error {
	n, err := strconv.Atoi(seconds)
	if err != nil {
		return fmt.Errorf("hold seconds: %w", err)
	}
	ttl := min(max(time.Duration(n)*time.Second, edgekv.MinTTL), 2*HoldTTL)
	key := HoldKey(ns, id)
	h, err := key.Load(ctx)
	if err != nil {
		return err
	}
	return key.Store(ctx, h, ttl) // DEBATABLE kvrace
}

// CloseOut sets the allotment of several room types to zero for one night in
// parallel. Each goroutine writes a different key.
func CloseOut(ctx context.Context, ns *edgekv.Namespace, date string, rts []domain.RoomTypeID) error {
	errs := make([]error, len(rts))
	var wg sync.WaitGroup
	for i, rt := range rts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := domain.Availability{RoomType: rt, Date: date, StopSell: true}
			errs[i] = New(ns, a).Save(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// ReleaseSold subtracts rooms sold through a channel from the edge counts,
// one goroutine per night.
func ReleaseSold(ctx context.Context, ns *edgekv.Namespace, rt domain.RoomTypeID, nights []string, rooms int) error {
	errs := make([]error, len(nights))
	var wg sync.WaitGroup
	for i, night := range nights {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "sold:" + string(rt) + ":" + night
			cur, ok, err := ns.Get(key)
			if err != nil {
				errs[i] = err
				return
			}
			n := 0
			if ok {
				n, _ = strconv.Atoi(cur)
			}
			errs[i] = ns.Put(key, strconv.Itoa(n+rooms), 0) // EXPECT kvcounter|kvrace
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
