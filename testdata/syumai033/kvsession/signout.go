package kvsession

import (
	"encoding/json"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// Signing a user out everywhere: the index lists the user's sessions, and
// each session is deleted under its own prefix, then its index entry.
func signOutEverywhere(ns *kv.Namespace, user string) error { // want signOutEverywhere:"kvsession"
	idx := "sessidx:" + user + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: idx})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		sid := strings.TrimPrefix(k.Name, idx)
		if err := ns.Delete("session:" + sid); err != nil { // want `A session revoked or consumed by a KV delete`
			return err
		}
		_ = ns.Delete(k.Name)
	}
	return nil
}

// An SSO state parameter, consumed by deleting it.
func finishSSO(ns *kv.Namespace, state string) (string, error) { // want finishSSO:"kvsession"
	back, err := ns.GetString("sso-state:"+state, nil)
	if err != nil || back == "<null>" {
		return "", err
	}
	return back, ns.Delete("sso-state:" + state) // want `An OAuth state or code revoked or consumed by a KV delete`
}

// A device's refresh token, retired when it is rotated.
func retireDeviceToken(ns *kv.Namespace, digest string) error { // want retireDeviceToken:"kvsession"
	return ns.Delete("devtok:" + digest) // want `A device token revoked or consumed by a KV delete`
}

// A stock level is no token.
func dropStock(ns *kv.Namespace, sku string) error {
	return ns.Delete("stock:" + sku)
}

type portalLogin struct{ ID, User string }

func loadLogin(ns *kv.Namespace, id string) (portalLogin, error) {
	var l portalLogin
	raw, err := ns.GetString("login:"+id, nil)
	if err != nil || raw == "<null>" {
		return l, err
	}
	l.ID, l.User = id, raw
	return l, nil
}

// A CSRF token issued under the session read, with a fresh random part:
// a creation, quiet in the default mode, not a rotation of the session.
func issueCSRF(ns *kv.Namespace, id, fresh string) error { // want issueCSRF:"kvsession judged inside"
	l, err := loadLogin(ns, id)
	if err != nil {
		return err
	}
	return ns.PutString("csrf/"+l.ID+"/"+fresh, "1", nil)
}

// Each listed session deleted in a closure of its own, which recovers
// from a panic of one and goes on with the next.
func signOutDevices(ns *kv.Namespace, user string) int { // want signOutDevices:"kvsession"
	res, err := ns.List(&kv.ListOptions{Prefix: "sess:" + user + ":"})
	if err != nil {
		return 0
	}
	ended := 0
	for _, k := range res.Keys {
		func() {
			defer func() { _ = recover() }()
			if err := ns.Delete(k.Name); err != nil { // want `A session revoked or consumed by a KV delete`
				return
			}
			ended++
		}()
	}
	return ended
}

// The same, over a user's cached pages: no credential.
func dropCachedPages(ns *kv.Namespace, user string) {
	res, err := ns.List(&kv.ListOptions{Prefix: "page:" + user + ":"})
	if err != nil {
		return
	}
	for _, k := range res.Keys {
		func() {
			defer func() { _ = recover() }()
			_ = ns.Delete(k.Name)
		}()
	}
}

type entryCode struct {
	Gate  string
	Until int64
}

type poster struct {
	Title string
}

// A gate's entry code, read, decoded and spent: the type it is decoded
// into names what the key holds.
func admit(ns *kv.Namespace, code string) (bool, error) { // want admit:"kvsession"
	key := "qr:" + code
	raw, err := ns.GetString(key, nil)
	if err != nil || raw == "<null>" {
		return false, err
	}
	var ec entryCode
	if err := json.Unmarshal([]byte(raw), &ec); err != nil {
		return false, err
	}
	return true, ns.Delete(key) // want `An entry code revoked or consumed by a KV delete`
}

// A poster taken down after it is read: no credential.
func takeDown(ns *kv.Namespace, id string) (string, error) {
	key := "qr:" + id
	raw, err := ns.GetString(key, nil)
	if err != nil || raw == "<null>" {
		return "", err
	}
	var p poster
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return "", err
	}
	return p.Title, ns.Delete(key)
}

// Tokens abbreviated with a word before tok: a subscriber's private feed
// tokens, blocked on a refund.
func blockFeeds(ns *kv.Namespace, network string, tokens []string) error { // want blockFeeds:"kvsession"
	for _, t := range tokens {
		if err := ns.Delete(network + ":feedtok:" + t); err != nil { // want `A token revoked or consumed by a KV delete`
			return err
		}
	}
	return nil
}
