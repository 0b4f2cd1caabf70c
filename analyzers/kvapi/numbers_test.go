package kvapi

import (
	"go/token"
	"testing"
)

// A file of export data, as go vet loads another package, holds lines
// but not their lengths: each line is one byte. A position named by
// file:line:column stays on its line there.
func TestPositionInStaysOnItsLine(t *testing.T) {
	fset := token.NewFileSet()
	f := fset.AddFile("records.go", -1, 200)
	lines := make([]int, 200)
	for i := range lines {
		lines[i] = i
	}
	f.SetLines(lines)
	pos := positionIn(fset, "records.go:30:2")
	if got := fset.Position(pos).Line; got != 30 {
		t.Errorf("positionIn(records.go:30:2) is on line %d, want 30", got)
	}
	if pos := positionIn(fset, "other.go:30:2"); pos.IsValid() {
		t.Errorf("positionIn of a file not in the set = %v, want NoPos", fset.Position(pos))
	}
}
