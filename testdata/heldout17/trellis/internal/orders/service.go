package orders

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/trellis/internal/bus"
	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
	"example.com/trellis/internal/sqlstore"
	"example.com/trellis/internal/uow"
)

// pageSize is how many orders one list request returns.
const pageSize = 50

// Store is what the service needs from a repository.
type Store interface {
	Load(ctx context.Context, k keys.Order) (Order, error)
	Save(ctx context.Context, o Order) error
}

// QuotaGate refuses orders beyond the tenant's plan.
type QuotaGate interface {
	Allow(ctx context.Context, tenant string, n int64) error
}

// Tally records billable usage for the dashboard.
type Tally interface {
	Record(ctx context.Context, tenant string, n int64) error
}

// Service handles order commands and queries.
type Service struct {
	st       kvstore.Store
	repo     Store
	counters sqlstore.Counters
	quota    QuotaGate
	tally    Tally
	clock    clock.Clock
}

func NewService(st kvstore.Store, repo Store, counters sqlstore.Counters, quota QuotaGate, tally Tally, c clock.Clock) *Service {
	return &Service{st: st, repo: repo, counters: counters, quota: quota, tally: tally, clock: c}
}

type (
	PlaceOrder struct {
		Tenant, Customer string
		Lines            []Line
	}
	AdvanceOrder struct {
		Tenant, OrderID string
		To              Status
		Actor, Reason   string
	}
	AddNote      struct{ Tenant, OrderID, Author, Text string }
	ListOrders   struct{ Tenant, Cursor string }
	ListDetailed struct{ Tenant, Cursor string }
	StatusReport struct{ Tenant string }
)

// OrderPage is one page of order summaries.
type OrderPage struct {
	Orders []Summary `json:"orders"`
	Cursor string    `json:"cursor,omitempty"`
}

// Register installs the handlers on b.
func (s *Service) Register(b *bus.Bus) {
	bus.Register(b, s.Place)
	bus.Register(b, s.Advance)
	bus.Register(b, s.AddNote)
	bus.Register(b, s.Page)
	bus.Register(b, s.Detailed)
	bus.Register(b, s.Report)
}

func customerIndexPrefix(tenant, customer string) string {
	return keys.TenantID(tenant).Prefix() + "cust:" + customer + ":order:"
}

// Place creates an order in the pending state.
func (s *Service) Place(ctx context.Context, cmd PlaceOrder) (Order, error) {
	if len(cmd.Lines) == 0 {
		return Order{}, errors.New("orders: an order needs at least one line")
	}
	if err := s.quota.Allow(ctx, cmd.Tenant, 1); err != nil {
		return Order{}, err
	}
	now := s.clock.Now()
	o := Order{ID: "ord_" + rand.Text()[:16], Tenant: cmd.Tenant, Customer: cmd.Customer,
		Status: Pending, Lines: cmd.Lines, CreatedAt: now, UpdatedAt: now}
	for _, l := range o.Lines {
		o.TotalCents += int64(l.Qty) * l.UnitCents
	}
	raw, err := json.Marshal(o)
	if err != nil {
		return Order{}, err
	}
	u := uow.New(s.st)
	u.Put(orderKey(o), raw, kvstore.PutOptions{Metadata: orderMeta{Status: o.Status, Total: o.TotalCents}})
	u.Put(customerIndexPrefix(o.Tenant, o.Customer)+o.ID, []byte(o.ID), kvstore.PutOptions{})
	if err := u.Commit(ctx); err != nil {
		return Order{}, fmt.Errorf("orders: place: %w", err)
	}
	if _, err := s.counters.Add(ctx, "orders-placed:"+cmd.Tenant+":"+now.UTC().Format(time.DateOnly), 1); err != nil {
		return o, err
	}
	return o, s.tally.Record(ctx, cmd.Tenant, 1)
}

// Advance moves an order to its next status.
func (s *Service) Advance(ctx context.Context, cmd AdvanceOrder) (Order, error) {
	o, err := s.repo.Load(ctx, keys.Order{Tenant: keys.TenantID(cmd.Tenant), ID: cmd.OrderID})
	if err != nil {
		return Order{}, err
	}
	if err := o.Move(cmd.To, cmd.Actor, cmd.Reason, s.clock.Now()); err != nil {
		return Order{}, err
	}
	if err := s.repo.Save(ctx, o); err != nil { // EXPECT kvrace
		return Order{}, err
	}
	return o, nil
}

// AddNote appends a line to the order's packing notes.
func (s *Service) AddNote(ctx context.Context, cmd AddNote) (struct{}, error) {
	put := kvstore.Writer.Put
	notesKey := keys.TenantID(cmd.Tenant).Prefix() + "order-notes:" + cmd.OrderID
	old, err := s.st.Get(ctx, notesKey)
	if err != nil && !kvstore.IsNotFound(err) {
		return struct{}{}, err
	}
	line := fmt.Sprintf("%s %s: %s\n", s.clock.Now().Format(time.DateTime), cmd.Author, cmd.Text)
	err = put(s.st, ctx, notesKey, []byte(string(old)+line), kvstore.PutOptions{}) // EXPECT kvrace
	return struct{}{}, err
}

func (s *Service) lister() (kvstore.Lister, error) {
	if l, ok := kvstore.AsLister(s.st); ok {
		return l, nil
	}
	return nil, kvstore.ErrUnsupported
}

func decodeMeta(m any) (om orderMeta) {
	if raw, err := json.Marshal(m); err == nil {
		_ = json.Unmarshal(raw, &om)
	}
	return om
}

// Page returns one page of a tenant's orders, built from key metadata, and the cursor for the next page.
func (s *Service) Page(ctx context.Context, q ListOrders) (OrderPage, error) {
	l, err := s.lister()
	if err != nil {
		return OrderPage{}, err
	}
	prefix := keys.OrderPrefix(keys.TenantID(q.Tenant))
	page, err := l.List(ctx, kvstore.ListOptions{Prefix: prefix, Cursor: q.Cursor, Limit: pageSize})
	if err != nil {
		return OrderPage{}, err
	}
	out := OrderPage{Cursor: page.Cursor}
	for _, k := range page.Keys {
		m := decodeMeta(k.Metadata)
		out.Orders = append(out.Orders, Summary{ID: k.Name[len(prefix):], Status: m.Status, TotalCents: m.Total})
	}
	return out, nil
}

// Detailed returns one page of orders with customers and item counts.
func (s *Service) Detailed(ctx context.Context, q ListDetailed) (OrderPage, error) {
	l, err := s.lister()
	if err != nil {
		return OrderPage{}, err
	}
	tenant := keys.TenantID(q.Tenant)
	page, err := l.List(ctx, kvstore.ListOptions{Prefix: keys.OrderPrefix(tenant), Cursor: q.Cursor, Limit: pageSize})
	if err != nil {
		return OrderPage{}, err
	}
	out := OrderPage{Cursor: page.Cursor}
	for _, k := range page.Keys {
		id := k.Name[len(keys.OrderPrefix(tenant)):]
		o, err := s.repo.Load(ctx, keys.Order{Tenant: tenant, ID: id}) // EXPECT kvlist
		if err != nil {
			return OrderPage{}, err
		}
		out.Orders = append(out.Orders, o.Summarise())
	}
	return out, nil
}

// Report counts a tenant's orders by status.
func (s *Service) Report(ctx context.Context, q StatusReport) (map[Status]int, error) {
	l, err := s.lister()
	if err != nil {
		return nil, err
	}
	counts := map[Status]int{}
	opts := kvstore.ListOptions{Prefix: keys.OrderPrefix(keys.TenantID(q.Tenant)), Limit: kvstore.MaxPageSize}
	for {
		page, err := l.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			counts[decodeMeta(k.Metadata).Status]++
		}
		if page.Complete {
			return counts, nil
		}
		opts.Cursor = page.Cursor
	}
}

// Recent returns the IDs of up to n of a customer's orders.
func (s *Service) Recent(ctx context.Context, tenant, customer string, n int) ([]string, error) {
	l, err := s.lister()
	if err != nil {
		return nil, err
	}
	prefix := customerIndexPrefix(tenant, customer)
	var ids []string
	for k, err := range kvstore.Walk(ctx, l, prefix) {
		if err != nil {
			return ids, err
		}
		if ids = append(ids, k.Name[len(prefix):]); len(ids) == n {
			break
		}
	}
	return ids, nil
}
