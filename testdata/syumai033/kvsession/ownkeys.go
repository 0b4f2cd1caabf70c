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

// A portal session whose last-seen stamp a deferred closure writes back,
// by the record's own key, after the handler read it.
type PortalSession struct {
	User, ID string
	SeenAt   int64
}

func (s PortalSession) Key() string { return "portal:" + s.User + ":" + s.ID }

func resolvePortal(ns *kv.Namespace, user, id string, now int64) (PortalSession, error) { // want resolvePortal:"^kvsession$" resolvePortal:"kvsession judged inside"
	sess, err := recstore.Load[PortalSession](ns, recstore.Scope("portal").Child(user, id))
	if err != nil {
		return PortalSession{}, err
	}
	defer func() {
		sess.SeenAt = now
		_ = recstore.Save(ns, sess) // want `A session read, changed and written back in KV`
	}()
	return sess, nil
}

// Quiet: a goroutine started per session listed is work of its own, not
// a write-back of what this function read.
func auditPortals(ns *kv.Namespace, user string, ids []string, now int64) { // want auditPortals:"kvsession judged inside"
	for _, id := range ids {
		sess, err := recstore.Load[PortalSession](ns, recstore.Scope("portal").Child(user, id))
		if err != nil {
			continue
		}
		go func() {
			_ = recstore.Save(ns, PortalSession{User: sess.User, ID: sess.ID + "-audit", SeenAt: now})
		}()
	}
}
