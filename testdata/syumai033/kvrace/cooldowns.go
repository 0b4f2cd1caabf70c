package kvrace

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type throttle struct {
	ns     *kv.Namespace
	window time.Duration
}

func (t *throttle) get(key string) (string, bool, error) {
	v, err := t.ns.GetString(key, nil)
	if err != nil || v == "<null>" {
		return "", false, err
	}
	return v, true, nil
}

func (t *throttle) set(key, value string, ttl time.Duration) error {
	return t.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Quiet: a block written when none is found and the limit is just
// passed, the same for every writer of its key, with a lifetime held
// above zero however long the window configured elsewhere is: a
// cooldown, not a claim.
func (t *throttle) allow(ip string, hits map[string]int, limit int) (bool, error) {
	key := "block:" + ip
	if _, found, err := t.get(key); err != nil {
		return false, err
	} else if found {
		return false, nil
	}
	hits[ip]++
	if n := hits[ip]; n == limit+1 {
		if err := t.set(key, ip, max(2*t.window, 3*time.Second)); err != nil {
			return false, err
		}
		return false, nil
	}
	return true, nil
}
