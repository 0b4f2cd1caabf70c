package bookings

import (
	"context"
	"testing"
	"time"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/kvstore/memkv"
)

type fakeClasses map[string]*Class

func (f fakeClasses) Class(_ context.Context, id string) (*Class, error) { return f[id], nil }

type fakePayments struct{ last string }

func (f *fakePayments) CreateSession(_ context.Context, id string, _ int64) (string, error) {
	f.last = id
	return "https://pay.example/" + id, nil
}

func TestPlaceHold(t *testing.T) {
	classes := fakeClasses{"c1": {ID: "c1", StudioID: "s1", Start: time.Now().Add(48 * time.Hour), Capacity: 8, PriceCents: 4500}}
	pay := &fakePayments{}
	s := New(kvstore.Open(memkv.New()), classes, pay, WithMaxSeats(2))
	url, err := s.PlaceHold(context.Background(), "c1", "st1", 2)
	if err != nil || url == "" || pay.last == "" {
		t.Fatalf("hold: %q %v", url, err)
	}
	if _, err := s.PlaceHold(context.Background(), "c1", "st1", 3); err == nil {
		t.Fatal("expected seat limit error")
	}
}
