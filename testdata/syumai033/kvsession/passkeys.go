package kvsession

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type passkey struct {
	ID        []byte
	PublicKey []byte
	SignCount uint32
}

// Quiet: a member's list of passkeys, one added; its race is kvrace's.
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
	return ns.PutString("passkeys:"+uid, string(b), nil)
}

// Quiet: the sign counter of one, after a login.
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
	return ns.PutString("webauthn:creds:"+uid, string(b), nil)
}

// A passkey removed, and a login ceremony's challenge spent: both stay
// usable at other locations for a while.
func removePasskey(ns *kv.Namespace, uid, id string) error { // want removePasskey:"kvsession"
	return ns.Delete("passkey:" + uid + ":" + id) // want `A passkey revoked or consumed by a KV delete`
}

func finishLogin(ns *kv.Namespace, ceremony string) error { // want finishLogin:"kvsession"
	return ns.Delete("webauthn:login:" + ceremony) // want `A challenge revoked or consumed by a KV delete`
}

type upstreamToken struct {
	Access string
	Expiry time.Time
}

// Quiet: an upstream's access token, cached until it nears its expiry
// and then fetched anew.
func upstreamAccess(ns *kv.Namespace, provider string, fetch func() (upstreamToken, error)) (upstreamToken, error) {
	key := "upstream:token:" + provider
	if raw, err := ns.GetString(key, nil); err == nil && raw != "<null>" {
		var tok upstreamToken
		if json.Unmarshal([]byte(raw), &tok) == nil && time.Until(tok.Expiry) > time.Minute {
			return tok, nil
		}
	}
	tok, err := fetch()
	if err != nil {
		return upstreamToken{}, err
	}
	b, _ := json.Marshal(tok)
	_ = ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 3600})
	return tok, nil
}

// A member's refresh token, checked and replaced: the old one stays
// valid elsewhere.
func replaceRefresh(ns *kv.Namespace, user, presented, next string) error { // want replaceRefresh:"kvsession"
	key := "refresh:" + user
	cur, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if cur != presented {
		return errors.New("refresh token reused")
	}
	return ns.PutString(key, next, nil) // want `overwritten in KV`
}
