package listing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

// ErrNotFound is returned when a listing does not exist.
var ErrNotFound = errors.New("listing: not found")

// ErrDuplicateSKU is returned when the seller already uses the SKU.
var ErrDuplicateSKU = errors.New("listing: SKU already in use")

// Handler reacts to listing events after the aggregate was saved.
type Handler interface {
	Handle(ctx context.Context, e Event) error
}

// Dispatcher delivers events to every registered read-side handler.
type Dispatcher struct {
	handlers []Handler
}

// NewDispatcher returns a dispatcher for the given handlers, called in order.
func NewDispatcher(hs ...Handler) *Dispatcher { return &Dispatcher{handlers: hs} }

// Dispatch delivers events and collects every handler's error.
func (d *Dispatcher) Dispatch(ctx context.Context, events []Event) error {
	var errs []error
	for _, e := range events {
		for _, h := range d.handlers {
			if err := h.Handle(ctx, e); err != nil {
				errs = append(errs, fmt.Errorf("%T on %T: %w", h, e, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Repository stores Listing aggregates in KV. The primary record lives under
// listing/doc/<id>; SKUs are unique per seller through listing/sku/<seller>/<sku>.
type Repository struct {
	ns   *kvstore.Namespace
	docs tuple.Subspace
	skus tuple.Subspace
	out  *Dispatcher
}

// NewRepository returns a repository that dispatches to d.
func NewRepository(ns *kvstore.Namespace, d *Dispatcher) *Repository {
	root := tuple.Root("listing")
	return &Repository{ns: ns, docs: root.Sub("doc"), skus: root.Sub("sku"), out: d}
}

// Load reads a listing.
func (r *Repository) Load(ctx context.Context, id uint64) (*Listing, error) {
	var l Listing
	err := r.ns.GetJSON(ctx, string(r.docs.Pack(id)), &l)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNotFound
	}
	return &l, err
}

// Create saves a newly posted listing after claiming its SKU.
func (r *Repository) Create(ctx context.Context, l *Listing) error {
	if l.SKU != "" {
		skuKey := r.skus.Sub(l.SellerID).Pack(l.SKU)
		_, err := r.ns.Get(ctx, string(skuKey))
		switch {
		case err == nil:
			return ErrDuplicateSKU
		case !errors.Is(err, kvstore.ErrNotFound):
			return err
		}
		idRaw := fmt.Appendf(nil, "%d", l.ID)
		if err := r.ns.Put(ctx, string(skuKey), idRaw, 0); err != nil { // EXPECT kvrace
			return err
		}
	}
	return r.Save(ctx, l)
}

// Save writes the primary record and dispatches pending events.
func (r *Repository) Save(ctx context.Context, l *Listing) error {
	for _, e := range l.PendingEvents() {
		if e, ok := e.(SKUChanged); ok {
			if err := r.moveSKU(ctx, e); err != nil {
				return err
			}
		}
	}
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if err := r.ns.Put(ctx, string(r.docs.Pack(l.ID)), raw, 0); err != nil {
		return err
	}
	events := l.PendingEvents()
	l.ClearEvents()
	return r.out.Dispatch(ctx, events)
}

// moveSKU re-points the unique SKU index. The new entry is written before
// the old one is removed so that a lookup never finds neither.
func (r *Repository) moveSKU(ctx context.Context, e SKUChanged) error {
	sub := r.skus.Sub(e.SellerID)
	if err := r.ns.Put(ctx, string(sub.Pack(e.To)), fmt.Appendf(nil, "%d", e.ID), 0); err != nil {
		return err
	}
	if e.From == "" {
		return nil
	}
	return r.ns.Delete(ctx, string(sub.Pack(e.From)))
}

// BySKU resolves a seller's SKU to a listing ID.
func (r *Repository) BySKU(ctx context.Context, sellerID, sku string) (uint64, error) {
	raw, err := r.ns.Get(ctx, string(r.skus.Sub(sellerID).Pack(sku)))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	var id uint64
	_, err = fmt.Sscan(string(raw), &id)
	return id, err
}
