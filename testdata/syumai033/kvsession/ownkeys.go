package kvsession

import (
	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/recstore"
)

// Records that know their own keys, deleted by a generic helper: the
// record's type names what the key holds, acronym and all.
type OTPChallenge struct{ Phone string }

func (c OTPChallenge) Key() string { return "c:" + c.Phone }

type SeatHold struct{ Seat string }

func (h SeatHold) Key() string { return "h:" + h.Seat }

func redeem(ns *kv.Namespace, ch OTPChallenge) error { // want redeem:"kvsession"
	return recstore.Forget(ns, ch) // want `A one-time code revoked or consumed by a KV delete`
}

func release(ns *kv.Namespace, h SeatHold) error {
	return recstore.Forget(ns, h)
}
