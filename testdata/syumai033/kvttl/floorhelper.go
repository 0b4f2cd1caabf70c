package kvttl

import (
	"time"

	"kvlint.test/syumai033/kvstore"
)

// Countdowns through a helper of another package that leaves zero, no
// lifetime, as it is.

// Quiet: held at a minute by the helper.
func publishPass(s *kvstore.Store, ev event, v string) error {
	return s.SetOptional("pass", v, kvstore.Floor(time.Until(ev.EndsAt)))
}

func publishPassWhole(s *kvstore.Store, ev event, v string) error {
	return s.SetOptional("pass-whole", v, kvstore.Whole(time.Until(ev.EndsAt))) // want `ExpirationTTL \(passed to kvstore.SetOptional\) is counted down`
}
