package ids

import (
	"errors"
	"testing"
)

func TestOrderIDRoundTrip(t *testing.T) {
	o := NewOrderID()
	p, err := ParseOrderID(o.String())
	if err != nil || p != o {
		t.Fatalf("round trip: %v %v", p, err)
	}
	if _, err := ParseOrderID("zz"); !errors.Is(err, ErrBadOrderID) {
		t.Fatalf("want ErrBadOrderID, got %v", err)
	}
}

func TestAccountID(t *testing.T) {
	if _, err := ParseAccountID(" Acme-Prod "); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseAccountID("-x"); !errors.Is(err, ErrBadAccountID) {
		t.Fatalf("got %v", err)
	}
}
