package feeds

import (
	"context"
	"testing"
)

// A test's fakes in the same fields hide nothing, and are not reported.
func TestAppend(t *testing.T) {
	m := map[string][]byte{}
	f := New(
		func(_ context.Context, key string) ([]byte, error) { return m[key], nil },
		func(_ context.Context, key string, v []byte) error { m[key] = v; return nil },
	)
	if err := f.Append(context.Background(), "u", "x"); err != nil || string(m["feed:u"]) != "x" {
		t.Fatal(err)
	}
}
