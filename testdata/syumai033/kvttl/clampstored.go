package kvttl

import (
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A window kept in a field by a table of throttles, doubled and clamped
// with a floor of its own below a minute: the clamp is the finding, not
// the window stored.
type throttle struct {
	ns     *kv.Namespace
	window time.Duration
}

var throttles = map[string]*throttle{
	"burst": {window: 10 * time.Second},
}

func (t *throttle) note(org string, n int) error {
	ttl := max(2*t.window, 3*time.Second) // want `ExpirationTTL can be as low as 3s`
	return t.ns.PutString("burst:"+org, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}
