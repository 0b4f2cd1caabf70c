package orders

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
)

// Notifier enqueues a notification for the queue consumer.
type Notifier interface {
	Notify(ctx context.Context, kind string, payload map[string]string) error
}

// Repo stores orders as JSON.
type Repo struct {
	st storage.Store
	c  codec.JSON[Order]
}

// NewRepo returns a Repo on st.
func NewRepo(st storage.Store) *Repo { return &Repo{st: st} }

// Get returns the order with id.
func (r *Repo) Get(ctx context.Context, id string) (Order, error) {
	o, err := storage.GetAs(ctx, r.st, keys.Order(id).String(), r.c)
	if storage.IsNotFound(err) {
		return o, ErrNotFound
	}
	return o, err
}

// Put stores o.
func (r *Repo) Put(ctx context.Context, o Order) error {
	return storage.PutAs(ctx, r.st, keys.Order(o.ID).String(), o, r.c, storage.PutOptions{})
}

// Service runs the order state machine.
type Service struct {
	repo   *Repo
	st     storage.Store
	byHold d1.Table[string]
	clock  clock.Clock
	notify Notifier
	log    *slog.Logger
}

// NewService returns a Service.
func NewService(st storage.Store, byHold d1.Table[string], c clock.Clock, n Notifier, log *slog.Logger) *Service {
	return &Service{repo: NewRepo(st), st: st, byHold: byHold, clock: c, notify: n, log: log}
}

// onEnter runs side effects when an order enters a state.
var onEnter = map[Status]func(*Service, context.Context, Order) error{
	Paid:     (*Service).issuePasses,
	Refunded: (*Service).revokePasses,
}

// Create records a pending order for a checked-out hold. A hold can only be
// ordered once; the D1 constraint on the hold id enforces it.
func (s *Service) Create(ctx context.Context, o Order) (Order, error) {
	o.ID = rand.Text()[:16]
	if err := s.byHold.Insert(ctx, o.HoldID, o.ID); errors.Is(err, d1.ErrConflict) {
		return Order{}, ErrAlreadyOrdered
	} else if err != nil {
		return Order{}, err
	}
	o.Status = Pending
	o.CreatedAt = s.clock.Now()
	if err := s.repo.Put(ctx, o); err != nil {
		return Order{}, err
	}
	return o, nil
}

// Get returns an order.
func (s *Service) Get(ctx context.Context, id string) (Order, error) { return s.repo.Get(ctx, id) }

// Transition moves an order to status to.
func (s *Service) Transition(ctx context.Context, id string, to Status, reason string) (Order, error) {
	o, err := s.repo.Get(ctx, id)
	if err != nil {
		return o, err
	}
	if o.Status == to {
		return o, nil
	}
	if err := o.apply(to, s.clock.Now(), reason); err != nil {
		return o, err
	}
	if err := s.repo.Put(ctx, o); err != nil { // EXPECT kvrace
		return o, err
	}
	if hook, ok := onEnter[to]; ok {
		if err := hook(s, ctx, o); err != nil {
			s.log.ErrorContext(ctx, "order hook failed", "order", o.ID, "status", to, "error", err)
		}
	}
	return o, nil
}

func (s *Service) issuePasses(ctx context.Context, o Order) error {
	pass := fmt.Sprintf("SUNDIAL|%s|%s|%d", o.ID, o.EventID, len(o.Seats))
	if err := s.st.Put(ctx, "pass:"+o.ID, []byte(pass), storage.PutOptions{ExpireAt: s.clock.Now().AddDate(0, 6, 0)}); err != nil {
		return err
	}
	return s.notify.Notify(ctx, "order.paid", map[string]string{"order": o.ID, "email": o.BuyerEmail})
}

func (s *Service) revokePasses(ctx context.Context, o Order) error {
	return s.notify.Notify(ctx, "order.refunded", map[string]string{"order": o.ID, "email": o.BuyerEmail})
}
