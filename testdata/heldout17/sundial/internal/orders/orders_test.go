package orders

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/storage"
)

type mapStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *mapStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	return v, nil
}

func (s *mapStore) Put(_ context.Context, key string, value []byte, _ storage.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

func (s *mapStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

type nopNotifier struct{ sent []string }

func (n *nopNotifier) Notify(_ context.Context, kind string, _ map[string]string) error {
	n.sent = append(n.sent, kind)
	return nil
}

func TestStateMachine(t *testing.T) {
	ctx := context.Background()
	st := &mapStore{m: map[string][]byte{}}
	n := &nopNotifier{}
	svc := NewService(st, d1.NewMemTable[string](), fixedClock{time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}, n, slog.New(slog.NewTextHandler(io.Discard, nil)))

	o, err := svc.Create(ctx, Order{HoldID: "h1", EventID: "e1", Seats: []string{"A1"}, AmountCents: 2500, Currency: "GBP"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, Order{HoldID: "h1"}); !errors.Is(err, ErrAlreadyOrdered) {
		t.Fatalf("second order for the same hold: %v", err)
	}
	if o, err = svc.Transition(ctx, o.ID, Paid, "test"); err != nil || o.Status != Paid {
		t.Fatalf("pay: %v %v", o.Status, err)
	}
	var te *TransitionError
	if _, err := svc.Transition(ctx, o.ID, Pending, "test"); !errors.As(err, &te) {
		t.Fatalf("paid -> pending allowed: %v", err)
	}
	if len(n.sent) != 1 || n.sent[0] != "order.paid" {
		t.Fatalf("notifications = %v", n.sent)
	}
	if _, err := st.Get(ctx, "pass:"+o.ID); err != nil {
		t.Fatalf("pass not issued: %v", err)
	}
}
