package limiter

import "testing"

// An in-package test makes limiter's test variant differ from limiter, so
// that go/packages recompiles mocks against it (mocks [limiter.test]).
func TestZero(t *testing.T) {
	if (Limiter{}).S != nil {
		t.Fatal("zero limiter has a store")
	}
}
