package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/defaultopts"
)

// Options that the adapter puts in place of nil: the caller's lifetime
// is still what reaches the put.

func confirmCooldown(ctx context.Context, ns *defaultopts.Namespace, email string) error {
	return ns.Put(ctx, "cooldown:"+email, []byte("1"), &defaultopts.WriteOptions{
		TTL: new(30 * time.Second), // want `ExpirationTTL 30 \(passed to defaultopts.Put\) is below KV's 60-second minimum`
	})
}

func previewPage(ctx context.Context, ns *defaultopts.Namespace, token string) error {
	return ns.Put(ctx, "preview:"+token, []byte("1"), &defaultopts.WriteOptions{
		ExpireAt: new(time.Now().Add(45 * time.Second)), // want `Expiration is time.Now\(\) plus 45s \(passed to defaultopts.Put\)`
	})
}

func keepDay(ctx context.Context, ns *defaultopts.Namespace, day string) error {
	keep := 36 * time.Hour
	return ns.Put(ctx, "day:"+day, []byte("1"), &defaultopts.WriteOptions{TTL: &keep})
}

// Quiet: no options, no expiry.
func publishPage(ctx context.Context, ns *defaultopts.Namespace, name string, body []byte) error {
	return ns.Put(ctx, "page:"+name, body, nil)
}

// The adapter's own default is a lifetime too: quiet at 20 minutes, and
// a caller's short one is still reported.
func openDefaultSession(ctx context.Context, ns *defaultopts.Namespace, sid string) error {
	return ns.PutSession(ctx, "sess:"+sid, []byte("{}"), nil)
}

func openShortProbe(ctx context.Context, ns *defaultopts.Namespace, sid string) error {
	return ns.PutSession(ctx, "probe:"+sid, []byte("{}"), &defaultopts.WriteOptions{
		TTL: new(10 * time.Second), // want `ExpirationTTL 10 \(passed to defaultopts.PutSession\) is below KV's 60-second minimum`
	})
}
