package kvsession

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// A personal access token revoked by a delete.
func revokePAT(ns *kv.Namespace, hash string) error { // want revokePAT:"kvsession"
	return ns.Delete("pat:" + hash) // want `A personal access token revoked or consumed by a KV delete`
}

// A pattern is no token.
func dropPattern(ns *kv.Namespace, id string) error {
	return ns.Delete("pattern:" + id)
}

// A user's list of tokens, and a staff member's list of sessions, are
// indexes: read, appended to and written back, a race (kvrace's), but
// not the credentials themselves.
func indexPAT(ns *kv.Namespace, userID, id string) error {
	raw, err := ns.GetString("user:pats:"+userID, nil)
	if err != nil {
		return err
	}
	return ns.PutString("user:pats:"+userID, raw+","+id, nil)
}

type staffStore struct{ sessions *kv.Namespace }

func (s *staffStore) remember(staffID, sessID string) error {
	raw, err := s.sessions.GetString("staffidx:"+staffID, nil)
	if err != nil {
		return err
	}
	return s.sessions.PutString("staffidx:"+staffID, raw+","+sessID, nil)
}

// An admin command that rotates a clinic's token, named by its arguments.
func rotateToken(ns *kv.Namespace, args []string) error { // want rotateToken:"kvsession"
	return ns.PutString("auth:clinic-token:"+args[0], "new-hash", nil) // want `A token overwritten in KV \(rotated`
}

// A sweep deletes sessions that have expired: no revocation.
func sweepExpiredSessions(ns *kv.Namespace, ids []string) error {
	for _, id := range ids {
		if err := ns.Delete("session:" + id); err != nil {
			return err
		}
	}
	return nil
}

// A purge of one member's sessions, listed under the member: a forced
// logout, which other locations do not see for 60 s or more.
func purgeMemberSessions(ns *kv.Namespace, memberID string) error { // want purgeMemberSessions:"kvsession"
	prefix := "member-sessions:" + memberID + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Limit: 100})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		sid := strings.TrimPrefix(k.Name, prefix)
		if err := ns.Delete("session:" + sid); err != nil { // want `A session revoked or consumed by a KV delete`
			return err
		}
	}
	return nil
}

// Quiet: a purge of what a day left over, whoever it was for.
func purgeDaySessions(ns *kv.Namespace, day string) error {
	prefix := "day-sessions:" + day + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Limit: 100})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		if err := ns.Delete("session:" + strings.TrimPrefix(k.Name, prefix)); err != nil {
			return err
		}
	}
	return nil
}
