package kvsession

import (
	"errors"
	"time"

	"kvlint.test/syumai033/kvstore"
)

type joinToken struct {
	Room   string    `json:"room"`
	Used   bool      `json:"used"`
	UsedAt time.Time `json:"used_at"`
}

// markUsed asks only for the method it calls.
func markUsed(kv interface{ PutJSON(key string, v any) error }, key string, jt joinToken) error {
	return kv.PutJSON(key, jt)
}

// A join link used once: read, marked used, written back.
func redeemJoin(s *kvstore.Store, tok string) (joinToken, error) { // want redeemJoin:"^kvsession$" redeemJoin:"kvsession judged inside"
	key := "join:" + tok
	var jt joinToken
	if err := s.GetJSON(key, &jt); err != nil {
		return jt, err
	}
	if jt.Used {
		return jt, errors.New("join link already used")
	}
	jt.Used, jt.UsedAt = true, time.Now()
	return jt, markUsed(s, key, jt) // want `A token read, changed and written back in KV`
}

// Quiet: a status key that notes the latest refusal of an API key; it
// lists no revoked credential.
type issuedKey struct{ ID, Owner string }

func noteDeny(s *kvstore.Store, id string) error {
	return s.Set("status/last-deny", id+" "+time.Now().UTC().Format(time.RFC3339), time.Hour)
}

func refuse(s *kvstore.Store, key issuedKey) error {
	return noteDeny(s, key.ID)
}
