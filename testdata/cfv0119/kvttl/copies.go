package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Defaults copied, then one field changed for one write: the lifetime is
// the put's own, reported at the put, and checked against what the
// wrapper does with it.

type sweepConfig struct {
	TTL  time.Duration
	Name string
}

var defaultSweep = sweepConfig{TTL: time.Hour, Name: "sweep"}

type sweeper struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	cfg sweepConfig
}

func (s *sweeper) put(ctx context.Context, key, v string, ttl time.Duration) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{{Key: key, Value: v, ExpirationTTL: int(ttl.Seconds())}}})
	return err
}

// putCached raises a short lifetime to the minimum itself.
func (s *sweeper) putCached(ctx context.Context, key, v string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{{Key: key, Value: v, ExpirationTTL: int(ttl.Seconds())}}})
	return err
}

func (s *sweeper) markFresh(ctx context.Context, ids []string) error {
	fresh := defaultSweep
	fresh.TTL = 30 * time.Second // want `ExpirationTTL 30 \(passed to sweeper.put\) is below KV's 60-second minimum`
	for _, id := range ids {
		if err := s.put(ctx, "fresh/"+id, "1", fresh.TTL); err != nil {
			return err
		}
	}
	slow := defaultSweep
	slow.TTL = 2 * time.Hour
	return s.put(ctx, "slow", "1", slow.TTL)
}

// Quiet: the wrapper clamps what it is given.
func (s *sweeper) preview(ctx context.Context, id string) error {
	c := defaultSweep
	c.TTL = 20 * time.Second
	return s.putCached(ctx, "preview/"+id, "1", c.TTL)
}

// A handler factory's copy, read by the closure it returns.
func (s *sweeper) handler() func(ctx context.Context, id string) error {
	card := s.cfg
	card.TTL = 15 * time.Second
	return func(ctx context.Context, id string) error {
		return s.put(ctx, "card/"+id, "1", card.TTL) // want `ExpirationTTL 15 \(passed to sweeper.put\) is below KV's 60-second minimum`
	}
}

// Quiet: set only on one path, so the put may see the copy's own hour.
func (s *sweeper) maybeShort(ctx context.Context, short bool) error {
	c := defaultSweep
	if short {
		c.TTL = 2 * time.Minute
	}
	return s.put(ctx, "maybe", "1", c.TTL)
}

// A copy changed for a constructor that keeps the lifetime for later
// puts: reported where the copy is changed.
type profileCache struct {
	s   *sweeper
	ttl time.Duration
}

func newProfileCache(s *sweeper, ttl time.Duration) *profileCache {
	return &profileCache{s: s, ttl: ttl}
}

func (c *profileCache) remember(ctx context.Context, id, v string) error {
	return c.s.put(ctx, "profile/"+id, v, c.ttl)
}

func (s *sweeper) profiles() *profileCache {
	pc := s.cfg
	pc.TTL = 45 * time.Second // want `ExpirationTTL 45 \(passed to newProfileCache, which keeps it in profileCache.ttl\) is below`
	return newProfileCache(s, pc.TTL)
}
