// Package sponsors sells the ad slots of episodes (pre-roll, mid-roll,
// post-roll) to sponsors: inventory, checkout holds, carts and bookings.
package sponsors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/garganey/internal/kvstore"
	"example.com/garganey/internal/timing"
)

// Slot is one sellable ad slot.
type Slot struct {
	Episode    string `json:"episode"`
	Position   string `json:"position"`
	PriceCents int    `json:"price"`
	Listeners  int    `json:"listeners"`
}

// ID is the slot's public identifier.
func (s Slot) ID() string { return s.Episode + ":" + s.Position }

// Booking is a sold slot.
type Booking struct {
	Sponsor  string    `json:"sponsor"`
	Slot     string    `json:"slot"`
	BookedAt time.Time `json:"booked"`
	Ends     time.Time `json:"ends"`
}

// Hold keeps a slot for a sponsor during checkout.
type Hold struct {
	Sponsor string    `json:"sponsor"`
	Until   time.Time `json:"until"`
}

// Cart is a sponsor user's checkout cart.
type Cart struct {
	Slots     []string  `json:"slots"`
	UpdatedAt time.Time `json:"updated"`
}

// ErrSlotTaken is returned when a slot was sold already.
var ErrSlotTaken = errors.New("sponsors: slot already booked")

var (
	cartTTL      = timing.MustDuration("24h")
	inventoryTTL = timing.MustDuration("720h")
)

func slotKey(id string) string    { return "slot:" + id }
func holdKey(id string) string    { return "hold:" + id }
func bookingKey(id string) string { return "booking:" + id }

// PublishInventory writes the sellable slots of one episode and a summary
// of the positions on sale. With a bulk-capable store this is one request.
func PublishInventory(ctx context.Context, st kvstore.Store, episode string, slots []Slot) error {
	summaryKey := "inventory:" + episode
	entries := make([]kvstore.Entry, 0, len(slots)+1)
	positions := make([]string, 0, len(slots))
	for _, s := range slots {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{Key: slotKey(s.ID()), Value: b, TTL: inventoryTTL})
		positions = append(positions, s.Position)
	}

	if bw, ok := st.(kvstore.BatchWriter); ok {
		sum, err := json.Marshal(positions)
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{Key: summaryKey, Value: sum, TTL: inventoryTTL})
		return bw.PutBatch(ctx, entries)
	}

	// One write per slot; the summary follows each slot so that a failure
	// half-way leaves a summary that matches what was written.
	var written []string
	for i, e := range entries {
		if err := st.Put(ctx, e.Key, e.Value, e.TTL); err != nil {
			return fmt.Errorf("inventory %s: %w", e.Key, err)
		}
		written = append(written, positions[i])
		sum, err := json.Marshal(written)
		if err != nil {
			return err
		}
		if err := st.Put(ctx, summaryKey, sum, inventoryTTL); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// PlaceHold reserves a slot for sponsor until the checkout session ends.
func PlaceHold(ctx context.Context, st kvstore.Store, slotID, sponsor string, until time.Time) error {
	b, err := json.Marshal(Hold{Sponsor: sponsor, Until: until})
	if err != nil {
		return err
	}
	return st.Put(ctx, holdKey(slotID), b, time.Until(until)) // EXPECT kvttl
}

// ExtendHold keeps a hold alive while the checkout page heartbeats every
// window; a hold survives two missed heartbeats.
func ExtendHold(ctx context.Context, st kvstore.Store, slotID, sponsor string, window time.Duration) error {
	b, err := json.Marshal(Hold{Sponsor: sponsor, Until: time.Now().Add(2 * window)})
	if err != nil {
		return err
	}
	return st.Put(ctx, holdKey(slotID), b, max(2*window, 5*time.Second)) // EXPECT kvttl
}

// Book sells the slot to sponsor for a campaign ending at ends.
func Book(ctx context.Context, st kvstore.Store, slotID, sponsor string, ends time.Time) error {
	key := bookingKey(slotID)
	res := st.Get(ctx, key)
	if res.Err != nil {
		return res.Err
	}
	if res.Value.Found {
		return ErrSlotTaken
	}
	b, err := json.Marshal(Booking{Sponsor: sponsor, Slot: slotID, BookedAt: time.Now().UTC(), Ends: ends})
	if err != nil {
		return err
	}
	// Bookings stay readable for invoicing until 30 days after the campaign.
	if err := st.Put(ctx, key, b, max(time.Until(ends.AddDate(0, 0, 30)), time.Minute)); err != nil { // EXPECT kvrace
		return err
	}
	return st.Delete(ctx, holdKey(slotID))
}

// AddToCart adds a slot to the sponsor user's cart.
func AddToCart(ctx context.Context, st kvstore.Store, user, slotID string) (Cart, error) {
	key := "cart:" + user
	var c Cart
	res := st.Get(ctx, key)
	if res.Err != nil {
		return c, res.Err
	}
	if res.Value.Found {
		if err := json.Unmarshal(res.Value.Value, &c); err != nil {
			return c, fmt.Errorf("cart %s: %w", user, err)
		}
	}
	if !slices.Contains(c.Slots, slotID) {
		c.Slots = append(c.Slots, slotID)
	}
	c.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	return c, st.Put(ctx, key, b, cartTTL) // EXPECT kvsession|kvrace
}
