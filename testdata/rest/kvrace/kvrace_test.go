package kvrace

import (
	"context"
	"testing"

	"kvlint.test/rest/kvrest"
)

// Quiet: a test reads and writes one key on one goroutine, against a test
// namespace or a fake.
func TestAddBadge(t *testing.T) {
	c := kvrest.New("test-account", "test-namespace")
	raw, _, _ := c.Get(context.Background(), "profile:u1")
	_ = c.Put(context.Background(), "profile:u1", raw+"!", 0)
}
