// Package listing holds the Listing aggregate: a seller's offer of one item,
// its price and category, and the domain events that describe its changes.
package listing

import "time"

// Event is a fact about a listing that has already happened.
type Event interface {
	ListingID() uint64
	OccurredAt() time.Time
}

type base struct {
	ID uint64    `json:"listing_id"`
	At time.Time `json:"at"`
}

func (b base) ListingID() uint64     { return b.ID }
func (b base) OccurredAt() time.Time { return b.At }

// Posted is recorded when a seller publishes a listing.
type Posted struct {
	base
	SellerID   string
	SKU        string
	Title      string
	Desc       string
	Brand      string
	Category   string
	PriceCents int64
}

// Edited is recorded when the text of a listing changes.
type Edited struct {
	base
	OldTitle, OldDesc string
	Title, Desc       string
}

// PriceChanged is recorded on every price change.
type PriceChanged struct {
	base
	From, To int64
}

// Recategorized is recorded when a listing moves between categories.
type Recategorized struct {
	base
	From, To string
}

// SKUChanged is recorded when the seller renames a listing's SKU.
type SKUChanged struct {
	base
	SellerID string
	From, To string
}

// Withdrawn is recorded when a listing is sold or taken down.
type Withdrawn struct {
	base
	Reason string
}
