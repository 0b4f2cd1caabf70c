// Package kvsession holds kvsession's cases on github.com/syumai/workers.
package kvsession

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvstore"
)

var errUsed = errors.New("code already used")

// Logout: the session stays valid at other locations for 60 s or more.
func logout(ns *kv.Namespace, sid string) error { // want logout:"kvsession"
	return ns.Delete("session:" + sid) // want `A session revoked or consumed by a KV delete: other locations keep serving the cached value for 60 s or more`
}

// A one-time code redeemed with get, then delete: replayable elsewhere.
func redeemOTP(ns *kv.Namespace, email, code string) error { // want redeemOTP:"kvsession"
	want, err := ns.GetString("otp:"+email, nil)
	if err != nil {
		return err
	}
	if want != code {
		return errUsed
	}
	return ns.Delete("otp:" + email) // want `A one-time code revoked or consumed`
}

func magicLinkKey(token string) string { return "magic:" + token }

// A magic link burnt through a key helper.
func burnMagicLink(ns *kv.Namespace, token string) error { // want burnMagicLink:"kvsession"
	return ns.Delete(magicLinkKey(token)) // want `A magic link revoked or consumed`
}

// OAuth state consumed at the callback.
func consumeState(ns *kv.Namespace, state string) error { // want consumeState:"kvsession"
	return ns.Delete("oauth:state:" + state) // want `An OAuth state or code revoked or consumed`
}

type refreshRecord struct {
	UserID  string
	Rotated bool
}

// Refresh-token rotation: the old record is overwritten as used.
func rotate(ns *kv.Namespace, tokenID string) error { // want rotate:"kvsession"
	raw, err := ns.GetString("refresh:"+tokenID, nil)
	if err != nil {
		return err
	}
	var rec refreshRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return err
	}
	rec.Rotated = true
	b, _ := json.Marshal(rec)
	return ns.PutString("refresh:"+tokenID, string(b), nil) // want `A refresh token read, changed and written back in KV`
}

// A revocation list kept in KV.
func revoke(ns *kv.Namespace, jti string) error { // want revoke:"kvsession"
	return ns.PutString("revoked:"+jti, "1", &kv.PutOptions{ExpirationTTL: 86400}) // want `revocation kept in KV`
}

type session struct {
	UserID   string
	LastSeen time.Time
}

// Sliding expiry: the session is rewritten on every request.
func touch(ns *kv.Namespace, sid string) error { // want touch:"kvsession"
	raw, err := ns.GetString("sess:"+sid, nil)
	if err != nil {
		return err
	}
	var s session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return err
	}
	s.LastSeen = time.Now()
	b, _ := json.Marshal(s)
	return ns.PutString("sess:"+sid, string(b), &kv.PutOptions{ExpirationTTL: 1800}) // want `A session read, changed and written back`
}

// A cart read, changed and written back.
func addToCart(ns *kv.Namespace, user, item string) error { // want addToCart:"kvsession"
	raw, err := ns.GetString("cart:"+user, nil)
	if err != nil {
		return err
	}
	var items []string
	_ = json.Unmarshal([]byte(raw), &items)
	items = append(items, item)
	b, _ := json.Marshal(items)
	return ns.PutString("cart:"+user, string(b), nil) // want `A cart read, changed and written back`
}

// Through a wrapper package: reported inside it (kvstore.Sessions.End),
// not here; and through a generic adapter, here, where the key is named.
func throughWrappers(s *kvstore.Sessions, st *kvstore.Store, sid string) { // want throughWrappers:"kvsession"
	_ = s.End(sid)
	_ = st.Delete("session:" + sid) // want `A session revoked or consumed`
}

// Quiet: a new session under a fresh ID, with a TTL (default mode).
func login(ns *kv.Namespace, sid, user string) error {
	return ns.PutString("session:"+sid, user, &kv.PutOptions{ExpirationTTL: 3600})
}

// Quiet: reads.
func lookup(ns *kv.Namespace, sid string) (string, error) {
	return ns.GetString("session:"+sid, nil)
}

// Quiet: a feature flag about sessions, public configuration, a cache fill.
func flags(ns *kv.Namespace) error {
	if err := ns.Delete("flags:session-timeout"); err != nil {
		return err
	}
	if err := ns.PutString("config:login-page", "<html>", nil); err != nil {
		return err
	}
	v, err := ns.GetString("cache:products", nil)
	if err != nil || v == "<null>" {
		return ns.PutString("cache:products", "[]", &kv.PutOptions{ExpirationTTL: 300})
	}
	return nil
}

// Quiet: an index of owners that names an API key among its parts.
func ownerIndex(ns *kv.Namespace, apiKey, slug string) error {
	return ns.Delete("owner:" + apiKey + ":" + slug)
}

// A key whose text starts with "code" keeps one-time codes.
func useCode(ns *kv.Namespace, email string) error { // want useCode:"kvsession"
	return ns.Delete("code:" + email) // want `A one-time code revoked or consumed`
}

// Quiet: a promotion's record, whatever its code.
func endPromo(ns *kv.Namespace, code string) error {
	return ns.Delete("promo:" + code)
}
