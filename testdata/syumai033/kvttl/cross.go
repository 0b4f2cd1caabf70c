package kvttl

import (
	"time"

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
