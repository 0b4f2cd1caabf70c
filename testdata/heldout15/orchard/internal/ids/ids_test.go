package ids

import (
	"errors"
	"testing"
)

func TestOrderIDRoundTrip(t *testing.T) {
	id := NewOrderID()
	got, err := ParseOrderID(id.String())
	if err != nil || got != id {
		t.Fatalf("round trip: %v %v", got, err)
	}
	if _, err := ParseOrderID("zz"); !errors.Is(err, ErrBadOrderID) {
		t.Fatalf("want ErrBadOrderID, got %v", err)
	}
}
