//go:build js && wasm

// Package inventory tracks stock per listing and the holds placed on it
// while a buyer checks out.
package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ErrUnknownListing is returned when no stock was ever recorded.
var ErrUnknownListing = errors.New("inventory: unknown listing")

// ShortError says how much was asked for and how much is left.
type ShortError struct {
	ListingID       string
	Wanted, InStock int
}

func (e *ShortError) Error() string {
	return fmt.Sprintf("inventory: %s has %d, %d wanted", e.ListingID, e.InStock, e.Wanted)
}

// holdFor is how long a checkout may keep stock aside.
const holdFor = 20 * time.Minute

// Hold is stock set aside for an order in checkout.
type Hold struct {
	OrderID   string    `json:"order_id"`
	ListingID string    `json:"listing_id"`
	Qty       int       `json:"qty"`
	At        time.Time `json:"at"`
}

// Stock is the inventory over the main namespace.
type Stock struct {
	ns  *kv.Namespace
	log *slog.Logger
}

// New returns Stock over ns.
func New(ns *kv.Namespace, log *slog.Logger) *Stock { return &Stock{ns: ns, log: log} }

func stockKey(id string) string { return "stock:" + id }

// Set records the farm's count after a harvest or a stock take.
func (s *Stock) Set(listingID string, qty int) error {
	return s.ns.PutString(stockKey(listingID), strconv.Itoa(qty), nil)
}

// Available returns the units in stock.
func (s *Stock) Available(listingID string) (int, error) {
	v, err := s.ns.GetString(stockKey(listingID), &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		return 0, err
	}
	if v == "<null>" {
		return 0, ErrUnknownListing
	}
	return strconv.Atoi(v)
}

// Reserve takes qty out of stock and holds it for the order.
func (s *Stock) Reserve(orderID, listingID string, qty int) error {
	v, err := s.ns.GetString(stockKey(listingID), nil)
	if err != nil {
		return err
	}
	if v == "<null>" {
		return ErrUnknownListing
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("inventory: corrupt stock for %s: %w", listingID, err)
	}
	if n < qty {
		return &ShortError{ListingID: listingID, Wanted: qty, InStock: n}
	}
	if err := s.ns.PutString(stockKey(listingID), strconv.Itoa(n-qty), nil); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	h, _ := json.Marshal(Hold{OrderID: orderID, ListingID: listingID, Qty: qty, At: time.Now().UTC()})
	return s.ns.PutString("hold:"+orderID, string(h), &kv.PutOptions{
		ExpirationTTL: int(holdFor), // EXPECT kvttl
	})
}

// Release drops the hold once the order is paid or abandoned.
func (s *Stock) Release(orderID string) error {
	return s.ns.Delete("hold:" + orderID)
}

// ReorderPoint is the farm's threshold for the low-stock e-mail.
func (s *Stock) ReorderPoint(listingID string) (int, error) {
	v, err := s.ns.GetString("reorder:"+listingID, &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}
