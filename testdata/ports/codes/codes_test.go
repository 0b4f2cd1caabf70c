package codes

import (
	"context"
	"testing"
	"time"

	"kvlint.test/ports/store"
)

type memWriter map[string][]byte

func (m memWriter) Write(_ context.Context, key string, v []byte, _ store.WriteOptions) error {
	m[key] = v
	return nil
}

// A TTL given as a time.Duration in a test's options is read as one.
func TestSave(t *testing.T) {
	m := memWriter{}
	if err := save(context.Background(), m, "k", Code{}, store.WriteOptions{TTL: 10 * time.Minute}); err != nil || m["k"] == nil {
		t.Fatal(err)
	}
}
