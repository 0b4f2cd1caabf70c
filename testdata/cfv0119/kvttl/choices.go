package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"kvlint.test/cfv0119/kvttl/tiers"
)

// Policies picked at run time, one literal per plan: no literal is wrong
// on its own; the put that may get any of them is.

type planStore struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (s *planStore) put(ctx context.Context, key, v string, ttl time.Duration) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: []byte(v)})
	if err != nil {
		return err
	}
	_, err = s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{{Key: key, Value: v, ExpirationTTL: int(ttl.Seconds())}}})
	return err
}

func (s *planStore) cacheSummary(ctx context.Context, plan, id, body string) error {
	return s.put(ctx, "summary/"+id, body, tiers.For(plan).CacheTTL) // want `ExpirationTTL 45 \(passed to planStore.put\) is below KV's 60-second minimum`
}

// A choice kept in a local, then read by a closure.
func (s *planStore) cacheLater(ctx context.Context, plan, id, body string) func() error {
	lim := tiers.For(plan)
	return func() error {
		return s.put(ctx, "later/"+id, body, lim.CacheTTL) // want `ExpirationTTL 45 \(passed to planStore.put\) is below KV's 60-second minimum`
	}
}

func (s *planStore) hold(ctx context.Context, plan, id string) error {
	return s.put(ctx, "hold/"+id, "1", tiers.Of(plan).CacheTTL) // want `ExpirationTTL 20 \(passed to planStore.put\) is below KV's 60-second minimum`
}

// Quiet: every plan holds for an hour or more, and a plan known here
// picks its own literal.
func (s *planStore) holdAll(ctx context.Context, plan, id string) error {
	if err := s.put(ctx, "held/"+id, "1", tiers.For(plan).HoldTTL); err != nil {
		return err
	}
	if err := s.put(ctx, "ent/"+id, "1", tiers.For("enterprise").CacheTTL); err != nil {
		return err
	}
	return s.put(ctx, "paid/"+id, "1", tiers.Of("pro").CacheTTL)
}

// A choice of this package: its literals are not reported where they are
// written, but at the put.
type retention struct {
	TTL time.Duration
}

func retentionFor(kind string) retention {
	switch kind {
	case "audit":
		return retention{TTL: 30 * 24 * time.Hour}
	case "preview":
		return retention{TTL: 30 * time.Second}
	}
	return retention{TTL: 24 * time.Hour}
}

func (s *planStore) keep(ctx context.Context, kind, id, v string) error {
	return s.put(ctx, kind+"/"+id, v, retentionFor(kind).TTL) // want `ExpirationTTL 30 \(passed to planStore.put\) is below KV's 60-second minimum`
}

func (s *planStore) keepAudit(ctx context.Context, id, v string) error {
	return s.put(ctx, "audit/"+id, v, retentionFor("audit").TTL)
}

// An entry of another package's table, read by a constant name.
func (s *planStore) preview(ctx context.Context, id, body string) error {
	return s.put(ctx, "preview/"+id, body, tiers.TTLs["preview"]) // want `ExpirationTTL 45 \(passed to planStore.put\) is below KV's 60-second minimum`
}

// Quiet: the entries read are long enough.
func (s *planStore) summaries(ctx context.Context, id, body string) error {
	if err := s.put(ctx, "summary/"+id, body, tiers.TTLs["summary"]); err != nil {
		return err
	}
	return s.put(ctx, "held/"+id, body, tiers.TTLs["hold"])
}
