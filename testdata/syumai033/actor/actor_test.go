package actor

import (
	"testing"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Tests swap the write path for a fake; the package's own writes still
// go to KV.
func TestSwap(t *testing.T) {
	putValue = func(*kv.Namespace, string, string, time.Duration) error { return nil }
	t.Cleanup(func() { putValue = realPut })
}
