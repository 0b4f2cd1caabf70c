package kvttl

import (
	"context"
	"net/http"
	"time"

	"github.com/samber/lo"
	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/secs"
	"kvlint.test/syumai033/timeleft"
)

// Lifetimes chosen by a utility library's generic helper, which returns
// one of its arguments as it is.
func cardFor(ns *kv.Namespace, key, card string, public bool) error {
	ttl := lo.Ternary(public, 10*time.Minute, 30*time.Second) // want `ExpirationTTL 30 is below KV's 60-second minimum`
	return ns.PutString(key, card, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Chosen in the call itself, and in seconds by a quotient.
func cardInline(ns *kv.Namespace, key, body string, walkIn bool) error {
	return ns.PutString(key, body, &kv.PutOptions{ExpirationTTL: lo.Ternary(walkIn, 45, 900)}) // want `ExpirationTTL 45 is below KV's 60-second minimum`
}

func cardQuotient(ns *kv.Namespace, key, body string, walkIn bool) error {
	ttl := lo.Ternary(walkIn, 50*time.Second, time.Hour) // want `ExpirationTTL 50 is below KV's 60-second minimum`
	return ns.PutString(key, body, &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)})
}

func cardForLong(ns *kv.Namespace, key, card string, public bool) error {
	ttl := lo.Ternary(public, 10*time.Minute, 2*time.Minute)
	return ns.PutString(key, card, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Countdowns that a helper of another package returns on one of its
// paths, with nothing under them.
func holdForRequest(ctx context.Context, ns *kv.Namespace, key string) error {
	ttl := timeleft.FromDeadline(ctx, time.Hour)
	return ns.PutString(key, "held", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // want `ExpirationTTL is counted down to a moment at run time`
}

func cacheUntilExpires(resp *http.Response, ns *kv.Namespace, key, body string) error {
	if left, ok := timeleft.ExpiresIn(resp.Header); ok {
		return ns.PutString(key, body, &kv.PutOptions{ExpirationTTL: int(left.Seconds())}) // want `ExpirationTTL is counted down to a moment at run time`
	}
	return ns.PutString(key, body, &kv.PutOptions{ExpirationTTL: 3600})
}

// Quiet: clamped, here or in the helper.
func holdClamped(ctx context.Context, ns *kv.Namespace, key string) error {
	ttl := max(timeleft.FromDeadline(ctx, time.Hour), time.Minute)
	return ns.PutString(key, "held", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func holdAtLeastMinute(ctx context.Context, ns *kv.Namespace, key string) error {
	ttl := timeleft.AtLeastMinute(ctx, time.Hour)
	return ns.PutString(key, "held", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// A duration built as a multiple of a unit is nanoseconds all the same.
func bannerFor(ns *kv.Namespace, banner string, minutes int) error {
	return secs.Put(ns, "banner", banner, int64(time.Duration(minutes)*time.Minute)) // want `ExpirationTTL is a lifetime in seconds, but this converts a time.Duration to nanoseconds`
}
