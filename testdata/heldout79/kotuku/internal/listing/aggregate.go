package listing

import (
	"errors"
	"strings"
	"time"
)

// Status of a listing.
type Status string

const (
	StatusLive      Status = "live"
	StatusWithdrawn Status = "withdrawn"
)

var (
	ErrWithdrawn    = errors.New("listing: withdrawn")
	ErrInvalidPrice = errors.New("listing: price must be positive")
	ErrEmptyTitle   = errors.New("listing: title is required")
)

// Listing is the aggregate root.
type Listing struct {
	ID         uint64    `json:"id"`
	SellerID   string    `json:"seller_id"`
	SKU        string    `json:"sku"`
	Title      string    `json:"title"`
	Desc       string    `json:"desc"`
	Brand      string    `json:"brand,omitempty"`
	Category   string    `json:"category"`
	PriceCents int64     `json:"price_cents"`
	Status     Status    `json:"status"`
	PostedAt   time.Time `json:"posted_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	pending []Event
}

// Post creates a new live listing.
func Post(id uint64, sellerID, sku, title, desc, brand, category string, price int64, now time.Time) (*Listing, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return nil, ErrEmptyTitle
	}
	if price <= 0 {
		return nil, ErrInvalidPrice
	}
	l := &Listing{}
	l.record(Posted{
		base:     base{ID: id, At: now},
		SellerID: sellerID, SKU: sku, Title: title, Desc: desc, Brand: brand,
		Category: category, PriceCents: price,
	})
	return l, nil
}

// Edit changes title and description.
func (l *Listing) Edit(title, desc string, now time.Time) error {
	if l.Status == StatusWithdrawn {
		return ErrWithdrawn
	}
	if title == l.Title && desc == l.Desc {
		return nil
	}
	l.record(Edited{base: base{l.ID, now}, OldTitle: l.Title, OldDesc: l.Desc, Title: title, Desc: desc})
	return nil
}

// Reprice sets a new price.
func (l *Listing) Reprice(cents int64, now time.Time) error {
	switch {
	case l.Status == StatusWithdrawn:
		return ErrWithdrawn
	case cents <= 0:
		return ErrInvalidPrice
	case cents == l.PriceCents:
		return nil
	}
	l.record(PriceChanged{base: base{l.ID, now}, From: l.PriceCents, To: cents})
	return nil
}

// Move puts the listing in another category.
func (l *Listing) Move(category string, now time.Time) error {
	if l.Status == StatusWithdrawn {
		return ErrWithdrawn
	}
	if category != l.Category {
		l.record(Recategorized{base: base{l.ID, now}, From: l.Category, To: category})
	}
	return nil
}

// RenameSKU changes the seller's stock-keeping unit for the listing.
func (l *Listing) RenameSKU(sku string, now time.Time) {
	if sku != l.SKU {
		l.record(SKUChanged{base: base{l.ID, now}, SellerID: l.SellerID, From: l.SKU, To: sku})
	}
}

// Withdraw takes the listing down.
func (l *Listing) Withdraw(reason string, now time.Time) {
	if l.Status != StatusWithdrawn {
		l.record(Withdrawn{base: base{l.ID, now}, Reason: reason})
	}
}

func (l *Listing) record(e Event) {
	l.Apply(e)
	l.pending = append(l.pending, e)
}

// Apply mutates state according to e. It is also used to replay events.
func (l *Listing) Apply(e Event) {
	l.UpdatedAt = e.OccurredAt()
	switch e := e.(type) {
	case Posted:
		l.ID, l.SellerID, l.SKU = e.ID, e.SellerID, e.SKU
		l.Title, l.Desc, l.Brand = e.Title, e.Desc, e.Brand
		l.Category, l.PriceCents = e.Category, e.PriceCents
		l.Status, l.PostedAt = StatusLive, e.At
	case Edited:
		l.Title, l.Desc = e.Title, e.Desc
	case PriceChanged:
		l.PriceCents = e.To
	case Recategorized:
		l.Category = e.To
	case SKUChanged:
		l.SKU = e.To
	case Withdrawn:
		l.Status = StatusWithdrawn
	}
}

// PendingEvents returns the events recorded since the last save.
func (l *Listing) PendingEvents() []Event { return l.pending }

// ClearEvents forgets recorded events after they were dispatched.
func (l *Listing) ClearEvents() { l.pending = nil }
