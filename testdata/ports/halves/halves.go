// Package halves reads and writes through two halves of the port, a
// Getter and a Setter, that main wires to one adapter.
package halves

import (
	"context"
	"strconv"
	"time"

	"kvlint.test/ports/store"
)

type Stars struct {
	Read  store.Getter
	Write store.Setter
}

// Add counts a star: read, add one, write back.
func (s Stars) Add(ctx context.Context, repo string) error {
	raw, err := s.Read.Get(ctx, "stars:"+repo)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(raw))
	return s.Write.Set(ctx, "stars:"+repo, []byte(strconv.Itoa(n+1)), time.Hour) // kvcounter
}

// Mirror copies between two stores of one kind, which main may wire to
// two namespaces: nothing says they are one.
type Mirror struct {
	From store.Getter
	To   store.Getter
	Out  store.Setter
}

// Stamp writes a value it did not read from the store it writes.
func (m Mirror) Stamp(ctx context.Context, repo string) error {
	return m.Out.Set(ctx, "stamp:"+repo, []byte(time.Now().UTC().Format(time.RFC3339)), time.Hour)
}
