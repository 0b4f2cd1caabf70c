package kvsession

import (
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
