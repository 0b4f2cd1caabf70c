//go:build js && wasm

package tracking

import (
	"context"
	"testing"

	"example.com/sorrel/internal/domain"
)

// fakeOrigin serves parcels from a map.
type fakeOrigin map[string]domain.Parcel

func (f fakeOrigin) Parcel(_ context.Context, id string) (domain.Parcel, error) {
	return f[id], nil
}

var _ Origin = fakeOrigin(nil)

func TestOutward(t *testing.T) {
	for in, want := range map[string]string{"SW1A 1AA": "SW1A", "M1 1AE": "M1", "EH1": "EH1"} {
		if got := outward(in); got != want {
			t.Errorf("outward(%q) = %q, want %q", in, got, want)
		}
	}
}
