package booking

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/tickets/internal/domain"
	"example.com/tickets/internal/repo"
)

const (
	orderSeqKey    = "seq:orders"
	quotaPrefix    = "purchased:"
	inventoryKeyFn = "inventory:"
	userOrdersPfx  = "user-orders:"
	quotaTTL       = 30 * 24 * time.Hour
)

// EventSource is the slice of the catalogue checkout needs.
type EventSource interface {
	Get(ctx context.Context, id string) (*domain.Event, error)
}

type CheckoutConfig struct {
	MaxPerCustomer int
	Currency       string
}

type Checkout struct {
	cfg    CheckoutConfig
	events EventSource
	orders *repo.Repo[domain.Order]
	store  domain.Store
	db     *sql.DB
	log    *slog.Logger
	now    func() time.Time
}

func NewCheckout(cfg CheckoutConfig, events EventSource, orders *repo.Repo[domain.Order], store domain.Store, db *sql.DB, log *slog.Logger) *Checkout {
	if cfg.MaxPerCustomer <= 0 {
		cfg.MaxPerCustomer = 6
	}
	return &Checkout{cfg: cfg, events: events, orders: orders, store: store, db: db, log: log, now: time.Now}
}

type OrderRequest struct {
	EventID string   `json:"event_id"`
	UserID  string   `json:"-"`
	Seats   []string `json:"seats"`
}

// PlaceOrder turns held seats into a pending order.
func (c *Checkout) PlaceOrder(ctx context.Context, req OrderRequest) (*domain.Order, error) {
	qty := len(req.Seats)
	if qty == 0 {
		return nil, errors.New("no seats selected")
	}
	ev, err := c.events.Get(ctx, req.EventID)
	if err != nil {
		return nil, err
	}
	now := c.now().UTC()
	if now.Before(ev.SalesStart) || now.After(ev.SalesEnd) {
		return nil, errors.New("sales are closed for this event")
	}

	quotaKey := quotaPrefix + ev.ID + ":" + req.UserID
	bought, err := c.readInt(ctx, quotaKey)
	if err != nil {
		return nil, err
	}
	if bought+qty > c.cfg.MaxPerCustomer {
		return nil, domain.ErrQuotaExceeded
	}
	if err := c.reserveInventory(ctx, ev.ID, qty); err != nil {
		return nil, err
	}
	if err := c.store.Set(ctx, quotaKey, []byte(strconv.Itoa(bought+qty)), quotaTTL); err != nil { // EXPECT kvcounter
		return nil, err
	}

	number, err := c.nextOrderNumber(ctx)
	if err != nil {
		return nil, err
	}
	o := &domain.Order{
		ID:         newID(),
		Number:     number,
		EventID:    ev.ID,
		UserID:     req.UserID,
		Seats:      req.Seats,
		Qty:        qty,
		TotalCents: int64(qty) * ev.PriceCents,
		Status:     domain.OrderPending,
		CreatedAt:  now,
	}
	if err := c.orders.Put(ctx, o.ID, o); err != nil {
		return nil, err
	}
	if err := c.linkToUser(ctx, req.UserID, o.ID); err != nil {
		c.log.WarnContext(ctx, "could not index order for user", "order", o.ID, "err", err)
	}
	return o, nil
}

// reserveInventory decrements the edge inventory so that sold-out events stop
// selling without a D1 round trip.
func (c *Checkout) reserveInventory(ctx context.Context, eventID string, qty int) error {
	key := inventoryKeyFn + eventID
	inv, err := repo.GetJSON[domain.Inventory](ctx, c.store, key)
	if err != nil {
		return fmt.Errorf("booking: inventory for %s: %w", eventID, err)
	}
	if inv.Remaining < qty {
		return domain.ErrSoldOut
	}
	inv.Remaining -= qty
	inv.UpdatedAt = c.now().UTC()
	return repo.PutJSON(ctx, c.store, key, inv, 0) // EXPECT kvcounter|kvrace
}

// SeedInventory writes the starting inventory when an event goes on sale.
// Capacity comes from D1, not from a previous KV value.
func (c *Checkout) SeedInventory(ctx context.Context, ev *domain.Event) error {
	inv := domain.Inventory{EventID: ev.ID, Remaining: ev.Capacity, UpdatedAt: c.now().UTC()}
	return repo.PutJSON(ctx, c.store, inventoryKeyFn+ev.ID, inv, 0)
}

func (c *Checkout) nextOrderNumber(ctx context.Context) (int64, error) {
	var last int64
	raw, err := c.store.Get(ctx, orderSeqKey)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		last = 100000
	case err != nil:
		return 0, err
	default:
		if last, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return 0, fmt.Errorf("booking: corrupt order sequence %q: %w", raw, err)
		}
	}
	next := last + 1
	if err := c.store.Set(ctx, orderSeqKey, []byte(strconv.FormatInt(next, 10)), 0); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return next, nil
}

func (c *Checkout) linkToUser(ctx context.Context, userID, orderID string) error {
	key := userOrdersPfx + userID
	ids, err := repo.GetJSON[[]string](ctx, c.store, key)
	if errors.Is(err, domain.ErrNotFound) {
		ids, err = new([]string), nil
	}
	if err != nil {
		return err
	}
	list := append(*ids, orderID)
	return repo.PutJSON(ctx, c.store, key, list, 0) // EXPECT kvrace
}

// UserOrders returns the order ids indexed for a customer.
func (c *Checkout) UserOrders(ctx context.Context, userID string) ([]string, error) {
	ids, err := repo.GetJSON[[]string](ctx, c.store, userOrdersPfx+userID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return *ids, nil
}

func (c *Checkout) Order(ctx context.Context, id string) (*domain.Order, error) {
	return c.orders.Get(ctx, id)
}

// MarkPaid is called from the payment webhook.
func (c *Checkout) MarkPaid(ctx context.Context, orderID, paymentRef string) (*domain.Order, error) {
	o, err := c.orders.Update(ctx, orderID, func(o *domain.Order) error {
		if o.Status != domain.OrderPending {
			return fmt.Errorf("order %s is %s", o.ID, o.Status)
		}
		o.Status = domain.OrderPaid
		o.PaymentRef = paymentRef
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The authoritative sold count lives in D1, where the increment is atomic
	// and the capacity check is part of the same statement.
	res, err := c.db.ExecContext(ctx,
		`UPDATE events SET sold = sold + ? WHERE id = ? AND sold + ? <= capacity`,
		o.Qty, o.EventID, o.Qty)
	if err != nil {
		return nil, fmt.Errorf("booking: record sale: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		c.log.ErrorContext(ctx, "paid order exceeds capacity", "order", o.ID, "event", o.EventID)
	}
	return o, nil
}

// Cancel cancels a pending or paid order on the customer's request.
func (c *Checkout) Cancel(ctx context.Context, orderID, userID string) (*domain.Order, error) {
	o, err := c.orders.Get(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if o.UserID != userID {
		return nil, domain.ErrForbidden
	}
	if o.Status == domain.OrderCancelled {
		return o, nil
	}
	now := c.now().UTC()
	o.Status = domain.OrderCancelled
	o.CancelledAt = &now
	if err := c.orders.Put(ctx, orderID, o); err != nil { // EXPECT kvrace
		return nil, err
	}
	return o, nil
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (c *Checkout) readInt(ctx context.Context, key string) (int, error) {
	raw, err := c.store.Get(ctx, key)
	if errors.Is(err, domain.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("booking: %s holds %q: %w", key, raw, err)
	}
	return n, nil
}
