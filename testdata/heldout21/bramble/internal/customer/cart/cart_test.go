package cart

import (
	"context"
	"errors"
	"testing"

	"example.com/bramble/internal/platform/kvstore/memkv"
)

func TestAddMergesAndRejectsOtherRestaurant(t *testing.T) {
	ctx := context.Background()
	s := New(memkv.New())
	line := Line{ItemID: "pad-thai", Quantity: 1}
	if _, err := s.Add(ctx, "cust-0001", "rest-0001", line); err != nil {
		t.Fatal(err)
	}
	c, err := s.Add(ctx, "cust-0001", "rest-0001", line)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Lines) != 1 || c.Lines[0].Quantity != 2 {
		t.Fatalf("lines = %+v, want one line of 2", c.Lines)
	}
	if _, err := s.Add(ctx, "cust-0001", "rest-0002", line); !errors.Is(err, ErrMixedRestaurants) {
		t.Fatalf("err = %v, want ErrMixedRestaurants", err)
	}
}
