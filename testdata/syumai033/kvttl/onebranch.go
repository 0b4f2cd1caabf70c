package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type previewSettings struct {
	LifetimeSeconds int
	TeardownAt      *time.Time
}

// A lifetime from settings, or counted down to a teardown with a floor
// below the minimum on the way that sets one: that way is the finding.
func publishPreview(s previewSettings, host, target string) error {
	ttl := time.Duration(s.LifetimeSeconds) * time.Second
	if s.TeardownAt != nil {
		ttl = max(time.Until(*s.TeardownAt), 30*time.Second) // want `ExpirationTTL can be as low as 30s, below KV's 60-second minimum`
	}
	return ns.PutString("preview:"+host, target, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Quiet: the same, with a floor of a minute on that way.
func publishPreviewFloored(s previewSettings, host, target string) error {
	ttl := time.Duration(s.LifetimeSeconds) * time.Second
	if s.TeardownAt != nil {
		ttl = max(time.Until(*s.TeardownAt), time.Minute)
	}
	return ns.PutString("preview:"+host, target, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}
