//go:build js && wasm

package standings

import (
	"context"
	"testing"

	"example.com/plover/internal/league"
)

// fakeOrigin is an Origin that returns a fixed table.
type fakeOrigin struct {
	rows  []league.Standing
	calls int
}

func (f *fakeOrigin) Standings(ctx context.Context, season league.SeasonID) ([]league.Standing, error) {
	f.calls++
	return f.rows, nil
}

var _ Origin = (*fakeOrigin)(nil)

func TestFakeOrigin(t *testing.T) {
	f := &fakeOrigin{rows: []league.Standing{{Team: "a", Points: 3}}}
	rows, err := f.Standings(context.Background(), "2025")
	if err != nil || len(rows) != 1 || f.calls != 1 {
		t.Fatalf("rows=%v err=%v calls=%d", rows, err, f.calls)
	}
}
