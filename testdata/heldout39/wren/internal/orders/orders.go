//go:build js && wasm

// Package orders turns carts into orders and drives the kitchen display.
package orders

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"wren/internal/cart"
	"wren/internal/config"
	"wren/internal/keys"
	"wren/internal/kvx"
)

// boardVersionKey changes whenever the kitchen board changes; KDS tablets
// poll it to know when to refetch.
const boardVersionKey = "kds/board-version"

// Status is the kitchen status of a ticket.
type Status int

const (
	StatusReceived Status = iota
	StatusCooking
	StatusReady
	StatusServed
	StatusCancelled
)

func (s Status) String() string {
	return [...]string{"received", "cooking", "ready", "served", "cancelled"}[s]
}

// TTL is how long a ticket stays on the board once it reaches s.
func (s Status) TTL() time.Duration {
	switch s {
	case StatusReceived, StatusCooking:
		return 18 * time.Hour
	case StatusReady:
		return 2 * time.Hour
	case StatusServed:
		return 45 * time.Second
	case StatusCancelled:
		return 10 * time.Minute
	}
	return time.Hour
}

// Order is a placed order.
type Order struct {
	ID         string      `json:"id"`
	Table      int         `json:"table"`
	Number     int         `json:"number"`
	Lines      []cart.Line `json:"lines"`
	TotalCents int         `json:"total_cents"`
	LoyaltyID  string      `json:"loyalty_id,omitempty"`
	PlacedAt   time.Time   `json:"placed_at"`
}

// Ticket is an order as the kitchen sees it.
type Ticket struct {
	OrderID string      `json:"order_id"`
	Table   int         `json:"table"`
	Number  int         `json:"number"`
	Status  Status      `json:"status"`
	Lines   []cart.Line `json:"lines"`
	Updated time.Time   `json:"updated"`
}

// Service places one tenant's orders and manages its tickets.
type Service struct {
	st     *kvx.Store
	tenant string
	carts  *cart.Service
	cfg    config.Kitchen
}

// New returns the order service of a tenant.
func New(st *kvx.Store, tenant string, carts *cart.Service, cfg config.Kitchen) *Service {
	return &Service{st: st, tenant: tenant, carts: carts, cfg: cfg}
}

func (s *Service) ticketKey(orderID string) string {
	return keys.For(s.tenant, keys.KindTicket, orderID)
}

// Place turns a cart into an order and a kitchen ticket.
func (s *Service) Place(ctx context.Context, cartID string) (*Order, error) {
	c, err := s.carts.Get(ctx, cartID)
	if err != nil {
		return nil, fmt.Errorf("place: %w", err)
	}
	num, err := s.nextNumber(ctx)
	if err != nil {
		return nil, fmt.Errorf("place: ticket number: %w", err)
	}
	now := time.Now().UTC()
	o := &Order{ID: keys.NewID(), Table: c.Table, Number: num, Lines: c.Lines,
		TotalCents: c.Total(), LoyaltyID: c.LoyaltyID, PlacedAt: now}
	t := Ticket{OrderID: o.ID, Table: c.Table, Number: num, Status: StatusReceived, Lines: c.Lines, Updated: now}

	orderKey, orderTTL := keys.Policy{Tenant: s.tenant}.For(keys.KindOrder, o.ID)
	put := (*kvx.Store).PutJSON
	for _, j := range []struct {
		key string
		v   any
		ttl time.Duration
	}{
		{orderKey, o, orderTTL},
		{s.ticketKey(o.ID), t, StatusReceived.TTL()},
	} {
		if err := put(s.st, ctx, j.key, j.v, j.ttl); err != nil {
			return nil, fmt.Errorf("place %s: %w", o.ID, err)
		}
	}
	openKey := fmt.Sprintf("%s/open/%d", s.tenant, c.Table)
	if err := appendID(ctx, s.st, openKey, o.ID, orderTTL); err != nil {
		return nil, fmt.Errorf("place: open list: %w", err)
	}
	if err := s.carts.Discard(ctx, cartID); err != nil {
		fmt.Printf("discard cart %s: %v\n", cartID, err)
	}
	if err := s.st.Put(ctx, boardVersionKey, strconv.FormatInt(now.UnixMilli(), 10), 0); err != nil { // EXPECT kvhotkey
		return nil, err
	}
	return o, nil
}

// nextNumber hands out the short number called at the pass, reset daily.
func (s *Service) nextNumber(ctx context.Context) (int, error) {
	key := keys.Join(s.tenant, "kds", "seq", keys.Day(time.Now()))
	ns := s.st.Namespace()
	v, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, _ := strconv.Atoi(v)
	n++
	if err := ns.PutString(key, strconv.Itoa(n), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 36 * 3600}); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return n, nil
}

// appendID adds id to the JSON list stored under key.
func appendID(ctx context.Context, st *kvx.Store, key, id string, ttl time.Duration) error {
	var ids []string
	if _, err := st.GetJSON(ctx, key, &ids); err != nil {
		return err
	}
	ids = append(ids, id)
	return st.PutJSON(ctx, key, ids, ttl) // EXPECT kvrace
}

// Board is one page of the kitchen board.
type Board struct {
	Tickets []Ticket `json:"tickets"`
	Cursor  string   `json:"cursor,omitempty"`
}

// Board returns a page of open tickets for the kitchen display.
func (s *Service) Board(ctx context.Context, cursor string) (*Board, error) {
	p, err := s.st.Page(ctx, keys.Join(s.tenant, keys.KindTicket.Prefix())+"/", cursor, 50)
	if err != nil {
		return nil, fmt.Errorf("board: %w", err)
	}
	b := &Board{}
	if !p.Done {
		b.Cursor = p.Cursor
	}
	for _, k := range p.Keys {
		var t Ticket
		ok, err := s.st.GetJSON(ctx, k, &t) // EXPECT kvlist
		if err != nil {
			return nil, fmt.Errorf("board: %w", err)
		}
		if ok {
			b.Tickets = append(b.Tickets, t)
		}
	}
	return b, nil
}

// Advance moves a ticket forward (received → cooking → ready).
func (s *Service) Advance(ctx context.Context, orderID string, next Status, by string) (*Ticket, error) {
	if next == StatusServed {
		return nil, s.Serve(ctx, orderID)
	}
	key := s.ticketKey(orderID)
	var t Ticket
	ok, err := s.st.GetJSON(ctx, key, &t)
	if err != nil || !ok {
		return nil, fmt.Errorf("advance %s: ticket missing (%v)", orderID, err)
	}
	if next < t.Status {
		return nil, fmt.Errorf("advance %s: cannot go from %s to %s", orderID, t.Status, next)
	}
	t.Status, t.Updated = next, time.Now().UTC()
	if err := s.st.PutJSON(ctx, key, t, next.TTL()); err != nil { // EXPECT kvrace
		return nil, fmt.Errorf("advance: %w", err)
	}
	s.audit(ctx, orderID, fmt.Sprintf("%s %s by %s", t.Updated.Format(time.RFC3339), next, by))
	return &t, nil
}

// audit appends a line to the order's audit trail after the response.
func (s *Service) audit(ctx context.Context, orderID, line string) {
	key := keys.Join(s.tenant, "audit", orderID)
	cloudflare.WaitUntil(func() {
		prev, _, err := s.st.Get(ctx, key)
		if err != nil {
			fmt.Printf("audit %s: %v\n", orderID, err)
			return
		}
		if err := s.st.Put(ctx, key, prev+line+"\n", s.cfg.TicketTTL); err != nil { // EXPECT kvrace
			fmt.Printf("audit %s: %v\n", orderID, err)
		}
	})
}

// Serve takes a ticket off the board and shows it on the "served" strip.
func (s *Service) Serve(ctx context.Context, orderID string) error {
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := s.st.Put(ctx, keys.Join(s.tenant, "kds-served", orderID), stamp, StatusServed.TTL()); err != nil { // EXPECT kvttl
		return fmt.Errorf("serve: %w", err)
	}
	return s.st.Delete(ctx, s.ticketKey(orderID))
}

// Recall puts tickets back on the board, e.g. after a printer jam.
func (s *Service) Recall(ctx context.Context, tickets []Ticket) error {
	for _, t := range tickets {
		t.Status, t.Updated = StatusCooking, time.Now().UTC()
		if err := s.st.PutJSON(ctx, s.ticketKey(t.OrderID), t, StatusCooking.TTL()); err != nil {
			return fmt.Errorf("recall %s: %w", t.OrderID, err)
		}
		if err := s.st.Put(ctx, boardVersionKey, strconv.FormatInt(t.Updated.UnixMilli(), 10), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Snapshot stores a rendered board for the expo TV.
func (s *Service) Snapshot(ctx context.Context, doc string) error {
	opts := &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(s.cfg.BoardTTL), // EXPECT kvttl
	}
	return s.st.Namespace().PutString(keys.Join(s.tenant, "kds", "snapshot"), doc, opts)
}

// Pause stops new QR orders until the given time.
func (s *Service) Pause(ctx context.Context, until time.Time, by string) error {
	return s.st.PutUntil(ctx, keys.Join(s.tenant, "kds", "paused"), by, until)
}

// Paused reports whether new orders are paused.
func (s *Service) Paused(ctx context.Context) (bool, error) {
	_, ok, err := s.st.Get(ctx, keys.Join(s.tenant, "kds", "paused"))
	return ok, err
}

// Throttle limits how many orders one client address may place per window.
type Throttle struct {
	st     *kvx.Store
	limit  int
	window time.Duration

	mu    sync.Mutex
	hits  map[string]int
	reset time.Time
}

// NewThrottle returns a throttle backed by the shared namespace.
func NewThrottle(st *kvx.Store, cfg config.Limits) *Throttle {
	return &Throttle{st: st, limit: cfg.OrdersPerWindow, window: cfg.Window, hits: make(map[string]int), reset: time.Now()}
}

// Allow records an order attempt from ip and reports whether it may proceed.
func (t *Throttle) Allow(ctx context.Context, ip string) (bool, error) {
	id := keys.Digest(ip)
	if _, blocked, err := t.st.Get(ctx, keys.Join("block", id)); err != nil {
		return false, fmt.Errorf("throttle: %w", err)
	} else if blocked {
		return false, nil
	}

	t.mu.Lock()
	if time.Since(t.reset) > t.window {
		t.hits = make(map[string]int)
		t.reset = time.Now()
	}
	t.hits[id]++
	n := t.hits[id]
	t.mu.Unlock()

	if err := t.st.Put(ctx, keys.Join("ratelimit", "orders", id), strconv.Itoa(n), t.window); err != nil { // EXPECT kvcounter
		return false, fmt.Errorf("throttle: %w", err)
	}
	if n == t.limit+1 {
		if err := t.st.Put(ctx, keys.Join("block", id), ip, max(2*t.window, 3*time.Second)); err != nil { // EXPECT kvttl
			return false, fmt.Errorf("throttle: %w", err)
		}
	}
	return n <= t.limit, nil
}
