package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvlimiter"
	"kvlint.test/syumai033/kvstore"
)

// Wrappers in another package are known through analysis facts.
func crossPackage(s *kvstore.Store) {
	_ = s.Set("a", "1", 30*time.Second) // want `ExpirationTTL 30 \(passed to kvstore.Set\) is below KV's 60-second minimum`
	_ = s.Set("b", "1", 5*time.Minute)
	_ = s.SetFloor("c", "1", time.Second)
	_ = kvstore.SetSeconds(s, "d", "1", 20) // want `ExpirationTTL 20 \(passed to kvstore.SetSeconds\) is below`
	_ = kvstore.SetSeconds(s, "e", "1", 120)
	_ = kvstore.Fixed(s)
}

// A local wrapper around a wrapper elsewhere: bound through its callers.
func setBriefly(s *kvstore.Store, key string, d time.Duration) error {
	return s.Set(key, "1", d)
}

func crossCallers(s *kvstore.Store) {
	_ = setBriefly(s, "f", 10*time.Second) // want `ExpirationTTL 10 \(passed to setBriefly\) is below`
	_ = setBriefly(s, "g", time.Hour)
}

// A TTL set only when given, and a choice of TTLs that a clamp sees one by one.
func crossOptional(s *kvstore.Store, empty bool) {
	_ = s.SetOptional("j", "1", 0)
	_ = s.SetOptional("k", "1", 20*time.Second) // want `ExpirationTTL 20 \(passed to kvstore.SetOptional\) is below`
	ttl := 15 * time.Minute
	if empty {
		ttl = 30 * time.Second
	}
	_ = s.SetFloor("h", "1", ttl)
	_ = s.Set("i", "1", ttl) // want `ExpirationTTL 30 \(passed to kvstore.Set\) is below`
}

// Absolute expirations made inside the wrapper from what the caller passes.
func crossUntil(s *kvstore.Store) {
	_ = s.SetUntil("l", "1", time.Now().Add(20*time.Second)) // want `Expiration is time.Now\(\) plus 20s \(passed to kvstore.SetUntil\)`
	_ = s.SetUntil("m", "1", time.Now().Add(20*time.Minute))
	_ = s.SetFor("n", "1", 30*time.Second) // want `Expiration is time.Now\(\) plus 30s \(passed to kvstore.SetFor\)`
	_ = s.SetFor("o", "1", time.Hour)
}

func crossRawSeconds(s *kvstore.Store) {
	_ = kvstore.SetRawSeconds(s, "p", "1", 45)               // want `ExpirationTTL 45 \(passed to kvstore.SetRawSeconds\) is below`
	_ = kvstore.SetRawSeconds(s, "q", "1", int64(time.Hour)) // want `ExpirationTTL 3600000000000 \(passed to kvstore.SetRawSeconds\) looks like a time.Duration in nanoseconds`
	_ = kvstore.SetRawSeconds(s, "r", "1", int64(time.Hour.Seconds()))
}

// A configured time.Duration made a count before the call: nanoseconds.
func crossRawConfigured(s *kvstore.Store, keep, hold time.Duration) {
	secs := int64(keep) // want `ExpirationTTL is a lifetime in seconds, but this converts a time.Duration to nanoseconds`
	_ = kvstore.SetRawSeconds(s, "x", "1", secs)
	_ = kvstore.SetRawSeconds(s, "y", "1", int64(hold/time.Second))
}

// Options built by an exported wrapper for the unexported one that sends them.
func crossBuiltOptions(s *kvstore.Store) {
	_ = s.SetWith("s", "1", 30*time.Second) // want `ExpirationTTL 30 \(passed to kvstore.SetWith\) is below`
	_ = s.SetWith("t", "1", time.Hour)
	_ = s.SetAt("u", "1", time.Now().Unix()+45) // want `Expiration is time.Now\(\) plus 45s \(passed to kvstore.SetAt\)`
	_ = s.SetAt("v", "1", time.Now().Add(time.Hour).Unix())
	_ = s.SetAt("w", "1", time.Now().UnixMilli()) // want `Expiration \(passed to kvstore.SetAt\) is in seconds since the Unix epoch, but this is a Unix time in ms`
}

// Lifetimes counted down to a moment, through wrappers elsewhere: reported
// at the argument, unless the wrapper clamps.
func crossCountdown(s *kvstore.Store, deadline time.Time) {
	_ = s.Set("h", "1", time.Until(deadline))                      // want `ExpirationTTL \(passed to kvstore.Set\) is counted down to a moment at run time`
	_ = s.Set("i", "1", max(time.Until(deadline), 10*time.Second)) // want `ExpirationTTL \(passed to kvstore.Set\) can be as low as 10s`
	_ = s.Set("j", "1", max(time.Until(deadline), time.Hour))
	_ = s.SetFloor("k", "1", time.Until(deadline))
}

// Lifetimes given to options and constructors that keep them in fields:
// reported where they are written.
func crossFields(ns *kv.Namespace) {
	_ = kvstore.NewRepo(ns, kvstore.WithTTL(30*time.Second)) // want `ExpirationTTL 30 \(passed to kvstore.WithTTL, which keeps it in Repo.ttl\) is below KV's 60-second minimum`
	_ = kvstore.NewRepo(ns, kvstore.WithTTL(10*time.Minute))
	_ = kvstore.NewRepoFor(ns, 45*time.Second) // want `ExpirationTTL 45 \(passed to kvstore.NewRepoFor, which keeps it in Repo.ttl\)`
	_ = kvstore.NewRepoFor(ns, time.Hour)
	_ = kvstore.NewLimiter(ns, kvstore.LimiterConfig{Window: 10 * time.Second}) // want `ExpirationTTL 10 \(passed to kvstore.NewLimiter, which keeps it in Limiter.cfg\)`
	_ = kvstore.NewLimiter(ns, kvstore.LimiterConfig{Window: time.Minute})
	_ = kvstore.NewTTLCache(ns, kvstore.WithCacheTTL(20*time.Second)) // want `ExpirationTTL 20 \(passed to kvstore.WithCacheTTL, which keeps it in cacheConfig.ttl\)`
	_ = kvstore.NewSafeCache(ns, kvstore.WithSafeTTL(5*time.Second))  // raised to a minute by the constructor
}

// Quiet: the wrapper's own floor of 15 s is reported inside it, whatever
// the caller passes.
func paced(s *kvstore.Store, every time.Duration) {
	_ = s.SetPaced("p", "1", every)
}

type limitedApp struct {
	limiter *kvlimiter.Limiter
}

// Quiet: the app keeps a limiter, whose floor is the limiter's own.
func newLimitedApp(cfg kvlimiter.Config) *limitedApp {
	a := &limitedApp{}
	a.limiter = kvlimiter.New(ns, cfg)
	return a
}

// A time.Duration converted to a number at the call, where the helper
// takes seconds and makes a time.Duration of them again.
func cacheLesson(key, v string) error {
	return kvlimiter.PutSeconds(ns, key, v, int64(10*time.Minute)) // want `ExpirationTTL 600000000000 \(passed to kvlimiter.PutSeconds\) looks like a time.Duration in nanoseconds`
}
