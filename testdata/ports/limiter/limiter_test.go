package limiter_test

import (
	"context"
	"testing"

	"kvlint.test/ports/mocks"
)

func TestAllow(t *testing.T) {
	if ok, err := mocks.Limiter().Allow(context.Background(), "203.0.113.7"); !ok || err != nil {
		t.Fatal(ok, err)
	}
}
