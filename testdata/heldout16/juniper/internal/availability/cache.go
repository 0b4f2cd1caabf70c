package availability

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/kvstore"
	"example.com/juniper/internal/records"
)

const maxPurgePages = 20

// partnerAvailabilityQuery is the query partners send to the availability
// feed; responses are cached per query and variables.
const partnerAvailabilityQuery = `query PartnerAvailability($venue: ID!, $from: Date!, $to: Date!, $party: Int!) {
  venue(id: $venue) { id name timezone bookingWindow { opensDaysAhead closesMinutesBefore }
    sittings(from: $from, to: $to) { name starts ends
      slots(partySize: $party) { time available turnMinutes
        areas { id name outdoor accessible } deposit { required amountCents currency } } }
    policies { cancellationHours depositMinParty largePartyThreshold }
    waitlist { enabled quotedMinutes partiesWaiting }
    experiences(from: $from, to: $to) { id title priceCents seatsLeft } } }`

// Slot is one bookable time.
type Slot struct {
	Time      time.Time `json:"t"`
	Available int       `json:"avail"`
	Area      string    `json:"area,omitempty"`
}

// Capacity is a venue's seating plan summary.
type Capacity struct {
	Seats  int            `json:"seats"`
	Tables int            `json:"tables"`
	ByArea map[string]int `json:"by_area"`
}

// Source computes availability from the reservations database.
type Source interface {
	SittingSlots(ctx context.Context, venueID string, day time.Time, sitting string) ([]Slot, error)
	Capacity(ctx context.Context, venueID string) (Capacity, error)
	PartnerFeed(ctx context.Context, venueID, from, to string, party int) ([]byte, error)
}

var sittings = []string{"lunch", "dinner", "late"}

// Cache fronts Source with KV.
type Cache struct {
	store     kvstore.Store
	ns        cfapi.Namespace
	src       Source
	ttlFor    func(Kind) time.Duration
	cacheable func(day time.Time) bool
	now       func() time.Time
}

// New wires the cache. horizon bounds how far ahead days are cached.
func New(store kvstore.Store, ns cfapi.Namespace, src Source, policy Policy, horizon time.Duration) *Cache {
	c := &Cache{store: store, ns: ns, src: src, ttlFor: policy.TTLFunc(), now: time.Now}
	c.cacheable = func(day time.Time) bool {
		return !day.Before(c.now().Truncate(24*time.Hour)) && day.Before(c.now().Add(horizon))
	}
	return c
}

// SlotsKey is the cache key for a venue's day; SlotsPrefix covers all days.
func SlotsKey(venueID string, day time.Time) string {
	return records.Join("slots", venueID, day.Format(time.DateOnly))
}
func SlotsPrefix(venueID string) string { return records.Join("slots", venueID) + "/" }

func (c *Cache) put(ctx context.Context, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.store.Put(ctx, key, b, kvstore.WithTTL(ttl))
}

// Slots returns the bookable slots for a venue's day.
func (c *Cache) Slots(ctx context.Context, venueID string, day time.Time) ([]Slot, error) {
	key := SlotsKey(venueID, day)
	var all []Slot
	if b, err := c.store.Get(ctx, key); err == nil {
		if err := json.Unmarshal(b, &all); err == nil {
			return all, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	for _, s := range sittings {
		slots, err := c.src.SittingSlots(ctx, venueID, day, s)
		if err != nil {
			return nil, err
		}
		all = append(all, slots...)
	}
	switch {
	case !c.cacheable(day):
		return all, nil
	case day.Format(time.DateOnly) == c.now().Format(time.DateOnly):
		// Today's slots move fast; keep them as short as KV allows.
		return all, c.put(ctx, key, all, 30*time.Second)
	}
	return all, c.put(ctx, key, all, c.ttlFor(KindSlotsFuture))
}

// RebuildDay recomputes a day sitting by sitting, publishing as it goes so
// the widget can show lunch while dinner is still being computed.
func (c *Cache) RebuildDay(ctx context.Context, venueID string, day time.Time) error {
	key := SlotsKey(venueID, day)
	var all []Slot
	for _, s := range sittings {
		slots, err := c.src.SittingSlots(ctx, venueID, day, s)
		if err != nil {
			return fmt.Errorf("availability: %s %s: %w", venueID, s, err)
		}
		all = append(all, slots...)
		b, _ := json.Marshal(all)
		if err := c.store.Put(ctx, key, b, kvstore.WithTTL(c.ttlFor(KindSlotsFuture))); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// PublishCapacity pushes a venue's capacity summary to the edge namespace.
func (c *Cache) PublishCapacity(ctx context.Context, venueID string) error {
	capa, err := c.src.Capacity(ctx, venueID)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(capa)
	_, err = c.ns.Client.KV.Namespaces.Values.Update(ctx, c.ns.ID, url.PathEscape(records.Join("capacity", venueID)), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.ns.AccountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(float64(c.ttlFor(KindCapacity))), // EXPECT kvttl
	})
	return err
}

// PartnerFeed serves the partner availability query with a short cache.
func (c *Cache) PartnerFeed(ctx context.Context, venueID, from, to string, party int) ([]byte, error) {
	key := "partner-q/" + partnerAvailabilityQuery + "|" + records.Join(venueID, from, to, strconv.Itoa(party)) // EXPECT kvlimits
	if b, err := c.store.Get(ctx, key); err == nil {
		return b, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	body, err := c.src.PartnerFeed(ctx, venueID, from, to, party)
	if err != nil {
		return nil, err
	}
	return body, c.store.Put(ctx, key, body, kvstore.WithTTL(c.ttlFor(KindPartnerFeed)))
}

// Purge drops every cached day of a venue, e.g. after the floor plan changes.
func (c *Cache) Purge(ctx context.Context, venueID string) (int, error) {
	removed := 0
	q := kvstore.ListQuery{Prefix: SlotsPrefix(venueID)}
	for range maxPurgePages {
		page, err := c.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range page.Keys {
			if err := c.store.Delete(ctx, k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		if page.Done() {
			return removed, nil
		}
		q = kvstore.ListQuery{Cursor: page.Cursor}
	}
	return removed, fmt.Errorf("availability: purge of %s stopped after %d pages", venueID, maxPurgePages)
}
