package checkout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/storefront/internal/cart"
	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/repo"
)

// ErrDailyCap protects against card testing from a single account.
var ErrDailyCap = errors.New("checkout: daily order limit reached")

// Quote is a carrier rate for the session's address.
type Quote struct {
	Carrier    string `json:"carrier"`
	Service    string `json:"service"`
	PriceCents int64  `json:"price_cents"`
}

// Zone is the shipping zone for a postcode prefix.
type Zone struct {
	Code      string   `json:"code"`
	Carriers  []string `json:"carriers"`
	Countries []string `json:"countries"`
}

// Carrier fetches live rates.
type Carrier interface {
	Rates(ctx context.Context, address string, cartTotal int64) ([]Quote, error)
}

// OrderSink records a placed order.
type OrderSink interface {
	Create(ctx context.Context, customer string, c cart.Cart, q Quote) (string, error)
}

// Placer turns a checkout session into an order.
type Placer struct {
	sessions *Sessions
	carts    *cart.Service
	orders   OrderSink
	carrier  Carrier
	quotes   *repo.Repo[[]Quote]
	zones    *repo.Repo[Zone]
	daily    *repo.Repo[int]
	cap      int
	now      func() time.Time
}

// NewPlacer wires the placer.
func NewPlacer(store kvstore.Store, cfg config.Checkout, sessions *Sessions, carts *cart.Service, orders OrderSink, carrier Carrier) *Placer {
	return &Placer{
		sessions: sessions,
		carts:    carts,
		orders:   orders,
		carrier:  carrier,
		quotes:   repo.New[[]Quote](store, "shipq:", repo.WithTTL(20*time.Second)), // EXPECT kvttl
		zones:    repo.New[Zone](store, "shipzone:", repo.WithTTL(cfg.ZoneCacheTTL)),
		daily:    repo.New[int](store, "quota:orders:"),
		cap:      cfg.DailyOrderCap,
		now:      time.Now,
	}
}

// Quotes returns carrier rates for the session, cached briefly because the
// carrier API is slow and the payment page asks twice.
func (p *Placer) Quotes(ctx context.Context, sess Session) ([]Quote, error) {
	qs, err := p.quotes.Get(ctx, sess.ID)
	if err == nil {
		return qs, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	c, err := p.carts.Get(ctx, sess.CartID)
	if err != nil {
		return nil, err
	}
	qs, err = p.carrier.Rates(ctx, sess.Address, c.Total())
	if err != nil {
		return nil, err
	}
	return qs, p.quotes.Save(ctx, sess.ID, qs)
}

// Zone returns the shipping zone definition for a postcode prefix.
func (p *Placer) Zone(ctx context.Context, prefix string) (Zone, bool, error) {
	z, err := p.zones.Get(ctx, prefix)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Zone{}, false, nil
	}
	return z, err == nil, err
}

func (p *Placer) checkDailyCap(ctx context.Context, customer string) error {
	id := p.now().UTC().Format("20060102") + ":" + customer
	n, err := p.daily.Get(ctx, id)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if n >= p.cap {
		return ErrDailyCap
	}
	return p.daily.Save(ctx, id, n+1) // EXPECT kvcounter
}

// Place creates the order for sessionID with the chosen quote.
func (p *Placer) Place(ctx context.Context, sessionID string, q Quote) (string, error) {
	sess, err := p.sessions.Load(ctx, sessionID)
	if err != nil {
		return "", err
	}
	if err := p.checkDailyCap(ctx, sess.Customer); err != nil {
		return "", err
	}
	c, err := p.carts.Get(ctx, sess.CartID)
	if err != nil {
		return "", err
	}
	if len(c.Lines) == 0 {
		return "", fmt.Errorf("checkout: cart %s is empty", sess.CartID)
	}
	orderID, err := p.orders.Create(ctx, sess.Customer, c, q)
	if err != nil {
		return "", err
	}
	if err := p.carts.Clear(ctx, sess.CartID); err != nil {
		return orderID, fmt.Errorf("order %s placed, cart not cleared: %w", orderID, err)
	}
	return orderID, nil
}
