package kvsession

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// One unexported helper stores every kind of record: each caller says
// what it writes, and is judged for it, not the helper for all of them.

type learnerSession struct {
	ID, Learner string
	Expires     int64
}

type revokedBefore struct {
	Learner string
	At      int64
}

type lessonNote struct {
	Lesson, Text string
}

type learners struct{ ns *kv.Namespace }

func (l *learners) putRecord(key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return l.ns.PutString(key, string(raw), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Quiet: a session created under a fresh id.
func (l *learners) Create(id, learner string) error {
	s := learnerSession{ID: id, Learner: learner, Expires: time.Now().Add(time.Hour).Unix()}
	return l.putRecord("sess:"+s.ID, s, time.Hour)
}

func (l *learners) Touch(s learnerSession) error { // want Touch:"kvsession"
	s.Expires = time.Now().Add(time.Hour).Unix()
	return l.putRecord("sess:"+s.ID, s, time.Hour) // want `A session changed and written back in KV`
}

func (l *learners) RevokeAll(learner string) error { // want RevokeAll:"kvsession"
	return l.putRecord("sess-revoked:"+learner, revokedBefore{Learner: learner, At: time.Now().Unix()}, time.Hour) // want `revocation kept in KV`
}

// Quiet: a note is neither a credential nor a revocation.
func (l *learners) SaveNote(n lessonNote) error {
	return l.putRecord("note:"+n.Lesson, n, 24*time.Hour)
}
