package orders

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/estuary/internal/config"
	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore"
	"example.com/estuary/internal/projection"
)

var (
	ErrNoOrder       = errors.New("orders: no such order")
	ErrBadTransition = errors.New("orders: transition not allowed")
	ErrInvalidAmount = errors.New("orders: amount must be positive")
)

// Projector receives order events.
type Projector interface {
	Apply(ctx context.Context, ev projection.Event) error
}

// Service stores orders and emits events for the projections.
type Service struct {
	store     kvstore.Store
	keys      config.KeyFormats
	proj      Projector
	retention time.Duration
	now       func() time.Time
}

func NewService(store kvstore.Store, keys config.KeyFormats, proj Projector, retention time.Duration) *Service {
	return &Service{store: store, keys: keys, proj: proj, retention: retention, now: time.Now}
}

func (s *Service) key(acct ids.AccountID, id ids.OrderID) string {
	return fmt.Sprintf(s.keys.Order, acct, id)
}

func (s *Service) load(ctx context.Context, key string) (*Order, error) {
	b, err := s.store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, hex.DecodedLen(len(b)))
	if _, err := hex.Decode(raw, b); err != nil {
		return nil, fmt.Errorf("orders: %s: %w", key, err)
	}
	o := new(Order)
	if err := o.UnmarshalBinary(raw); err != nil {
		return nil, fmt.Errorf("orders: %s: %w", key, err)
	}
	return o, nil
}

func (s *Service) save(ctx context.Context, key string, o *Order) error {
	raw, err := o.MarshalBinary()
	if err != nil {
		return err
	}
	b := []byte(hex.EncodeToString(raw))
	return s.store.Put(ctx, key, b, kvstore.PutOptions{Metadata: map[string]any{"status": o.Status.String()}})
}

func (s *Service) emit(ctx context.Context, o *Order, kind string) error {
	now := s.now()
	ev := projection.Event{Seq: now.UnixNano(), Account: o.Account, Order: o.ID.String(), Kind: kind, Cents: o.AmountCents}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("%s%020d-%s", projection.EventPrefix(o.Account), ev.Seq, o.ID)
	if err := s.store.Put(ctx, key, b, kvstore.PutOptions{TTL: s.retention}); err != nil {
		return err
	}
	return s.proj.Apply(ctx, ev)
}

// Create records a new pending order.
func (s *Service) Create(ctx context.Context, acct ids.AccountID, cents int64) (*Order, error) {
	if cents <= 0 {
		return nil, ErrInvalidAmount
	}
	now := s.now().UTC()
	o := &Order{ID: ids.NewOrderID(), Account: acct, Status: Pending, AmountCents: cents, Created: now, Updated: now}
	if err := s.save(ctx, s.key(acct, o.ID), o); err != nil {
		return nil, err
	}
	if err := s.store.Put(ctx, "orders/latest", []byte(o.ID.String()), kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
		return nil, err
	}
	return o, s.emit(ctx, o, "created")
}

// Get returns one order.
func (s *Service) Get(ctx context.Context, acct ids.AccountID, id ids.OrderID) (*Order, error) {
	o, err := s.load(ctx, s.key(acct, id))
	var nf kvstore.NotFoundError
	if errors.As(err, &nf) { // DEBATABLE kvnull
		return nil, ErrNoOrder
	}
	return o, err
}

// Transition moves an order to a new status.
func (s *Service) Transition(ctx context.Context, acct ids.AccountID, id ids.OrderID, to Status) (o *Order, err error) {
	key := s.key(acct, id)
	if o, err = s.load(ctx, key); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrNoOrder
		}
		return nil, err
	}
	defer func() {
		if err == nil {
			err = s.save(ctx, key, o) // EXPECT kvrace
		}
	}()
	if !slices.Contains(next[o.Status], to) {
		return nil, fmt.Errorf("%w: %s to %s", ErrBadTransition, o.Status, to)
	}
	o.Status = to
	o.Updated = s.now().UTC()
	if to == Paid || to == Cancelled {
		return o, s.emit(ctx, o, to.String())
	}
	return o, nil
}

// Hold reserves the order while a payment attempt is in flight, for as long
// as the caller's request may run.
func (s *Service) Hold(ctx context.Context, acct ids.AccountID, id ids.OrderID) (release func(), err error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = s.now().Add(2 * time.Minute)
	}
	key := "hold/" + id.String()
	err = s.store.Put(ctx, key, []byte(acct), kvstore.PutOptions{
		TTL: time.Until(deadline), // EXPECT kvttl
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = s.store.Delete(context.WithoutCancel(ctx), key) }, nil
}

// Summary is what a listing shows without fetching each order.
type Summary struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// Page lists one page of acct's orders; pass the returned cursor back for
// the next page.
func (s *Service) Page(ctx context.Context, acct ids.AccountID, cursor string) ([]Summary, string, error) {
	prefix := fmt.Sprintf(s.keys.Order, acct, "")
	page, err := s.store.List(ctx, prefix, cursor, 50)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		st, _ := k.Metadata["status"].(string)
		out = append(out, Summary{ID: strings.TrimPrefix(k.Name, prefix), Status: st})
	}
	return out, page.Cursor, nil
}
