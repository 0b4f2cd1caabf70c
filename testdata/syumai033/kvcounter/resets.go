package kvcounter

import (
	"github.com/syumai/workers/cloudflare/kv"
)

// A daily quota's window opened by writing zero under each sender's key:
// the increments that land meanwhile and the reset overwrite each other.
func openQuotaWindows(ns *kv.Namespace, senders []string, day string) {
	for _, s := range senders {
		_ = ns.PutString("quota:"+s+":"+day, "0", &kv.PutOptions{ExpirationTTL: 36 * 3600}) // want `this put resets a count under a key that names one`
	}
}

// A new post's score starts at zero under a key that names no count.
func startScore(ns *kv.Namespace, postID string) error {
	return ns.PutString("score:"+postID, "0", nil)
}

// A quota key holding what is not zero, a plan's name, is no reset.
func setQuotaPlan(ns *kv.Namespace, sender string) error {
	return ns.PutString("quota:plan:"+sender, "pro", nil)
}
