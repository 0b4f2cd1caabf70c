package readmodel

import (
	"context"
	"errors"
	"time"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/listing"
	"github.com/kotuku-market/kotuku/internal/search"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

// PricePoint is one entry of a listing's price history.
type PricePoint struct {
	At    time.Time `json:"at"`
	Cents int64     `json:"cents"`
}

// PriceHistory keeps the price chart shown on a listing page.
type PriceHistory struct {
	ns  *kvstore.Namespace
	sub tuple.Subspace
}

// NewPriceHistory returns the price history view.
func NewPriceHistory(ns *kvstore.Namespace) *PriceHistory {
	return &PriceHistory{ns: ns, sub: tuple.Root("browse").Sub("prices")}
}

// Handle implements listing.Handler.
func (h *PriceHistory) Handle(ctx context.Context, e listing.Event) error {
	switch e := e.(type) {
	case listing.Posted:
		return h.ns.PutJSON(ctx, string(h.sub.Pack(e.ID)), []PricePoint{{e.At, e.PriceCents}}, 0)
	case listing.PriceChanged:
		key := string(h.sub.Pack(e.ID))
		var pts []PricePoint
		if err := h.ns.GetJSON(ctx, key, &pts); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		pts = append(pts, PricePoint{e.At, e.To})
		if len(pts) > 64 {
			pts = pts[len(pts)-64:]
		}
		return h.ns.PutJSON(ctx, key, pts, 0) // EXPECT kvrace
	case listing.Withdrawn:
		return h.ns.Delete(ctx, string(h.sub.Pack(e.ID)))
	}
	return nil
}

// Showcase is the seller storefront header: the seller's latest titles.
type Showcase struct {
	ns  *kvstore.Namespace
	sub tuple.Subspace
}

// NewShowcase returns the storefront view.
func NewShowcase(ns *kvstore.Namespace) *Showcase {
	return &Showcase{ns: ns, sub: tuple.Root("browse").Sub("showcase")}
}

type showcaseDoc struct {
	SellerID   string    `json:"seller_id"`
	LastPosted time.Time `json:"last_posted"`
	Titles     []string  `json:"titles"`
}

// Handle implements listing.Handler.
func (s *Showcase) Handle(ctx context.Context, e listing.Event) error {
	p, ok := e.(listing.Posted)
	if !ok {
		return nil
	}
	key := s.sub.Pack(p.SellerID)
	doc := showcaseDoc{SellerID: p.SellerID}
	if err := s.ns.GetJSON(ctx, string(key), &doc); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	doc.LastPosted = p.At
	doc.Titles = append(doc.Titles, p.Title)
	if n := len(doc.Titles); n > 8 {
		doc.Titles = doc.Titles[n-8:]
	}
	return s.ns.PutJSON(ctx, string(key), doc, 0) // EXPECT kvrace
}

// SearchProjector keeps the inverted index in step with listings.
type SearchProjector struct {
	ix     *search.Index
	loader Loader
}

// NewSearchProjector returns the search index handler.
func NewSearchProjector(ix *search.Index, loader Loader) *SearchProjector {
	return &SearchProjector{ix: ix, loader: loader}
}

// Handle implements listing.Handler.
func (p *SearchProjector) Handle(ctx context.Context, e listing.Event) error {
	switch e := e.(type) {
	case listing.Posted:
		return p.ix.Add(ctx, search.Document{ID: e.ID, Title: e.Title, Description: e.Desc, Category: e.Category, Brand: e.Brand})
	case listing.Edited:
		l, err := p.loader.Load(ctx, e.ID)
		if err != nil {
			return err
		}
		before := search.Document{ID: e.ID, Title: e.OldTitle, Description: e.OldDesc, Brand: l.Brand}
		after := search.Document{ID: e.ID, Title: e.Title, Description: e.Desc, Brand: l.Brand}
		return p.ix.Update(ctx, before, after)
	case listing.Withdrawn:
		l, err := p.loader.Load(ctx, e.ID)
		if err != nil {
			return err
		}
		return p.ix.Remove(ctx, search.Document{ID: l.ID, Title: l.Title, Description: l.Desc, Brand: l.Brand})
	}
	return nil
}
