package kvcounter

import (
	"context"
	"strconv"
	"testing"

	"kvlint.test/rest/kvrest"
)

// Quiet: a test's count runs on one goroutine.
func TestCount(t *testing.T) {
	c := kvrest.New("test-account", "test-namespace")
	v, _, _ := c.Get(context.Background(), "logins:u1")
	n, _ := strconv.Atoi(v)
	_ = c.Put(context.Background(), "logins:u1", strconv.Itoa(n+1), 0)
}
