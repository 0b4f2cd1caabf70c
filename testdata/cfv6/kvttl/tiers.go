package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/cfgcache"
	"kvlint.test/cfv6/tiers"
)

// Lifetimes chosen by a policy of a package that does not use KV.

func putFor(ctx context.Context, client *cloudflare.Client, key, body string, ttl time.Duration) error {
	_, err := client.KV.Namespaces.Values.Update(ctx, "ns", key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

// The plan is known at run time only: Live's 20 seconds can reach the put.
func cacheResults(ctx context.Context, client *cloudflare.Client, t tiers.Tier, body string) error {
	return putFor(ctx, client, "results", body, t.TTL()) // want `ExpirationTTL 20 \(passed to putFor\) is below KV's 60-second minimum`
}

func cacheLive(ctx context.Context, client *cloudflare.Client, body string) error {
	return putFor(ctx, client, "live", body, tiers.Live.TTL()) // want `ExpirationTTL 20 \(passed to putFor\) is below`
}

func cacheGrace(ctx context.Context, client *cloudflare.Client, body string) error {
	return putFor(ctx, client, "grace", body, tiers.Grace()) // want `ExpirationTTL 30 \(passed to putFor\) is below`
}

// Quiet: the Pro plan's five minutes, every plan's archive, and a
// lifetime the configuration decides.
func cachePro(ctx context.Context, client *cloudflare.Client, body string) error {
	return putFor(ctx, client, "pro", body, tiers.Pro.TTL())
}

func archive(ctx context.Context, client *cloudflare.Client, t tiers.Tier, body string) error {
	return putFor(ctx, client, "archive", body, t.Archive())
}

func configured(ctx context.Context, client *cloudflare.Client, minutes int, body string) error {
	return putFor(ctx, client, "configured", body, tiers.Configured(minutes))
}

// Quiet: zero is handed back as zero, and zero never gets here.
func clamped(ctx context.Context, client *cloudflare.Client, ttl time.Duration, body string) error {
	if ttl > 0 {
		return putFor(ctx, client, "clamped", body, tiers.Clamp(ttl))
	}
	return nil
}

// Quiet: the caller leaves Live's 20 seconds out before it asks the plan,
// by the plan itself or by a predicate of the plan's package.
func cacheUnlessLive(ctx context.Context, client *cloudflare.Client, t tiers.Tier, body string) error {
	if t == tiers.Live {
		return nil
	}
	return putFor(ctx, client, "results", body, t.TTL())
}

func cacheUnlessRealtime(ctx context.Context, client *cloudflare.Client, t tiers.Tier, body string) error {
	if t.Realtime() {
		return nil
	}
	return putFor(ctx, client, "results", body, t.TTL())
}

type account struct {
	ID   string
	Tier tiers.Tier
}

func cacheEach(ctx context.Context, client *cloudflare.Client, accounts []account, body string) error {
	for _, a := range accounts {
		if a.Tier.Realtime() {
			continue
		}
		if err := putFor(ctx, client, "results:"+a.ID, body, a.Tier.TTL()); err != nil {
			return err
		}
	}
	return nil
}

// Stored in a config that a later put reads, after the same test.
func configureUnlessRealtime(client *cloudflare.Client, t tiers.Tier) *cfgcache.Cache {
	if t.Realtime() {
		return nil
	}
	cfg := cfgcache.DefaultConfig()
	cfg.TTL = t.TTL()
	return cfgcache.New(client, cfg)
}

// The same with the plan read from an account into a variable.
func configureAccount(client *cloudflare.Client, a account) *cfgcache.Cache {
	t := a.Tier
	if t.Realtime() {
		return nil
	}
	cfg := cfgcache.DefaultConfig()
	cfg.TTL = t.TTL()
	return cfgcache.New(client, cfg)
}

// Live is still possible after these tests: the first leaves out Pro, the
// second keeps only the paid plans.
func cacheUnlessPro(ctx context.Context, client *cloudflare.Client, t tiers.Tier, body string) error {
	if t == tiers.Pro {
		return nil
	}
	return putFor(ctx, client, "results", body, t.TTL()) // want `ExpirationTTL 20 \(passed to putFor\) is below`
}

func cachePaid(ctx context.Context, client *cloudflare.Client, t tiers.Tier, body string) error {
	if !t.Paid() {
		return nil
	}
	return putFor(ctx, client, "results", body, t.TTL()) // want `ExpirationTTL 20 \(passed to putFor\) is below`
}

// Whether the policy is on is not known here: its settings come at run
// time, so the put after the test can run.
func limitWindow(ctx context.Context, client *cloudflare.Client, p tiers.Policy) error {
	if !p.Enabled() {
		return nil
	}
	return putFor(ctx, client, "window", "1", max(2*p.Window, 3*time.Second)) // want `ExpirationTTL \(passed to putFor\) can be as low as 3s`
}
