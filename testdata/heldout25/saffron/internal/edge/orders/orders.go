//go:build js && wasm

// Package orders handles pickup carts and orders.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// Pricer looks prices up from the published menu.
type Pricer interface {
	Item(venueID, itemID string) (domain.MenuItem, error)
}

// PricerFunc adapts a function to Pricer.
type PricerFunc func(venueID, itemID string) (domain.MenuItem, error)

func (f PricerFunc) Item(venueID, itemID string) (domain.MenuItem, error) { return f(venueID, itemID) }

// Service is the pickup ordering API.
type Service interface {
	AddToCart(ctx context.Context, guestID, venueID string, line domain.CartLine) (domain.Cart, error)
	Submit(ctx context.Context, guestID, venueID string, pickupAt time.Time) (domain.Order, error)
	Status(ctx context.Context, venueID, orderID string) (domain.Order, error)
	MarkReady(ctx context.Context, venueID, orderID string) error
	Cancel(ctx context.Context, venueID, orderID string) error
}

type service struct {
	carts  storage.Store[string, domain.Cart]
	ns     *kv.Namespace
	prices Pricer
}

// NewService builds the ordering service.
func NewService(raw storage.Blob, ns *kv.Namespace, prices Pricer) Service {
	return &service{
		carts:  storage.NewTyped[string, domain.Cart](raw, storage.JSONCodec[domain.Cart]{}),
		ns:     ns,
		prices: prices,
	}
}

func (s *service) AddToCart(ctx context.Context, guestID, venueID string, line domain.CartLine) (domain.Cart, error) {
	if line.Qty <= 0 {
		return domain.Cart{}, errors.New("orders: quantity must be positive")
	}
	key := keys.Cart(guestID, venueID)
	c, err := s.carts.Get(ctx, key)
	if storage.IsNotFound(err) {
		c = domain.Cart{GuestID: guestID, VenueID: venueID}
	} else if err != nil {
		return domain.Cart{}, err
	}
	merged := false
	for i := range c.Lines {
		if c.Lines[i].ItemID == line.ItemID && c.Lines[i].Note == line.Note {
			c.Lines[i].Qty += line.Qty
			merged = true
			break
		}
	}
	if !merged {
		c.Lines = append(c.Lines, line)
	}
	if err := s.carts.Put(ctx, key, c, storage.WithTTL(2*time.Hour)); err != nil { // EXPECT kvsession
		return domain.Cart{}, err
	}
	return c, nil
}

func newPickupCode() string {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	var b [5]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

func (s *service) Submit(ctx context.Context, guestID, venueID string, pickupAt time.Time) (domain.Order, error) {
	c, err := s.carts.Get(ctx, keys.Cart(guestID, venueID))
	if err != nil {
		return domain.Order{}, err
	}
	o := domain.Order{
		ID:       fmt.Sprintf("%d%s", time.Now().UnixNano(), strings.ToLower(newPickupCode())),
		VenueID:  venueID,
		GuestID:  guestID,
		Lines:    c.Lines,
		PickupAt: pickupAt,
		Status:   "received",
	}
	for _, l := range c.Lines {
		it, err := s.prices.Item(venueID, l.ItemID)
		if err != nil {
			return domain.Order{}, fmt.Errorf("price %s: %w", l.ItemID, err)
		}
		o.TotalCents += it.PriceCents * l.Qty
	}
	o.Touch(guestID, time.Now().UTC())

	o.PickupCode = newPickupCode()
	codeKey := keys.PickupCode(venueID, o.PickupCode)
	existing, err := s.ns.GetString(codeKey, nil)
	if err != nil {
		return domain.Order{}, err
	}
	if existing != "<null>" {
		return domain.Order{}, domain.ErrAlreadyTaken
	}
	if err := s.ns.PutString(codeKey, o.ID, &kv.PutOptions{ExpirationTTL: 86400}); err != nil { // EXPECT kvrace
		return domain.Order{}, err
	}

	b, err := json.Marshal(o)
	if err != nil {
		return domain.Order{}, err
	}
	expires := pickupAt.Add(48 * time.Hour)
	if err := s.ns.PutString(keys.Order(venueID, o.ID), string(b), &kv.PutOptions{Expiration: int(expires.Unix())}); err != nil {
		return domain.Order{}, err
	}
	return o, nil
}

func (s *service) Status(ctx context.Context, venueID, orderID string) (domain.Order, error) {
	r, err := s.ns.GetReader(keys.Order(venueID, orderID), nil) // EXPECT kvnull
	if err != nil {
		return domain.Order{}, err
	}
	var o domain.Order
	if err := json.NewDecoder(r).Decode(&o); err != nil {
		return domain.Order{}, err
	}
	return o, nil
}

// MarkReady flags the order for the pickup screen. The flag only needs to
// live while the guest walks to the counter.
func (s *service) MarkReady(ctx context.Context, venueID, orderID string) error {
	key := "ready:" + keys.Order(venueID, orderID)
	return s.ns.PutString(key, time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{Expiration: int(time.Now().Add(30 * time.Second).Unix())}) // EXPECT kvttl
}

func (s *service) Cancel(ctx context.Context, venueID, orderID string) error {
	v, err := s.ns.GetString(keys.Order(venueID, orderID), nil)
	if err != nil {
		return err
	}
	if v == "<null>" {
		return storage.ErrNotFound
	}
	var o domain.Order
	if err := json.Unmarshal([]byte(v), &o); err != nil {
		return err
	}
	if err := s.ns.Delete(keys.PickupCode(venueID, o.PickupCode)); err != nil {
		return err
	}
	return s.ns.Delete(keys.Order(venueID, orderID))
}
