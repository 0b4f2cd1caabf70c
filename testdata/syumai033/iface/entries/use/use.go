package use

import (
	"time"

	"kvlint.test/syumai033/iface/entries"
)

// Quiet: each of these boards writes through a layer that raises
// lifetimes to a minute.
func flashSales(ns entries.Store) {
	floored := &entries.Board{KV: entries.Compose(ns, entries.WithPrefix("eu:"), entries.WithFloor(time.Minute))}
	_ = floored.Announce("flash", "sale", 30*time.Second)
	policed := &entries.Board{KV: entries.Compose(ns, entries.WithPolicy(3600, 60))}
	_ = policed.Announce("flash", "sale", 30*time.Second)
}

// A prefix keeps no 30 s from KV, nor does a floor under a minute, which
// is reported where it is given too.
func flashSalesBare(ns entries.Store) {
	prefixed := &entries.Board{KV: entries.Compose(ns, entries.WithPrefix("eu:"))}
	_ = prefixed.Announce("flash", "sale", 30*time.Second)                            // want `ExpirationTTL 30 \(passed to entries.Announce\) is below KV's 60-second minimum`
	low := &entries.Board{KV: entries.Compose(ns, entries.WithFloor(20*time.Second))} // want `ExpirationTTL 20 \(passed to entries.WithFloor, which keeps it in floored.floor\)`
	_ = low.Announce("flash", "sale", 30*time.Second)                                 // want `ExpirationTTL 30 \(passed to entries.Announce\) is below KV's 60-second minimum`
}
