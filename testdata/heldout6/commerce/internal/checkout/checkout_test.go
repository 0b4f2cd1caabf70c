package checkout

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/commerce/internal/adapters/memkv"
	"example.com/commerce/internal/config"
)

type clock struct{ t time.Time }

func (c clock) Now() time.Time { return c.t }

type ids struct{}

func (ids) NewID() string { return "sess-1" }

func TestStartRejectsConcurrentCheckout(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	now := time.Now()
	kv.Now = func() time.Time { return now }
	s := NewService(Deps{
		KV:        kv,
		Config:    config.Default().Checkout,
		Clock:     clock{now},
		IDs:       ids{},
		CartTotal: func(context.Context, string) (int64, error) { return 1999, nil },
	})
	sess, err := s.Start(ctx, "cart-1", "u1")
	if err != nil || sess.TotalCents != 1999 {
		t.Fatalf("Start = %+v, %v", sess, err)
	}
	if _, err := s.Start(ctx, "cart-1", "u1"); !errors.Is(err, ErrInProgress) {
		t.Fatalf("second Start err = %v", err)
	}
	if _, err := s.SetShipping(ctx, sess.ID, Address{Name: "A", Country: "NL"}); err != nil {
		t.Fatal(err)
	}
}
