package kvrace

import (
	"bytes"
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

type passkey struct {
	ID        []byte
	PublicKey []byte
	SignCount uint32
}

// A member's list of passkeys, one added: two registrations at once
// lose one of them. (No session is spent: the race is this analyzer's.)
func addPasskey(ns *kv.Namespace, uid string, pk passkey) error {
	var keys []passkey
	raw, err := ns.GetString("passkeys:"+uid, nil)
	if err != nil {
		return err
	}
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &keys); err != nil {
			return err
		}
	}
	keys = append(keys, pk)
	b, _ := json.Marshal(keys)
	return ns.PutString("passkeys:"+uid, string(b), nil) // want `read-modify-write on one KV key`
}

// The sign counter of one, after a login.
func bumpSignCount(ns *kv.Namespace, uid string, id []byte, count uint32) error {
	raw, err := ns.GetString("webauthn:creds:"+uid, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	var creds []passkey
	if err := json.Unmarshal([]byte(raw), &creds); err != nil {
		return err
	}
	for i := range creds {
		if bytes.Equal(creds[i].ID, id) {
			creds[i].SignCount = count
		}
	}
	b, _ := json.Marshal(creds)
	return ns.PutString("webauthn:creds:"+uid, string(b), nil) // want `read-modify-write on one KV key`
}
