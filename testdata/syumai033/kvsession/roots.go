package kvsession

import (
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// Typed keys whose roots are package variables: the root's text names
// what the key holds.
type rootKey string

func (k rootKey) Child(part string) rootKey {
	if k == "" {
		return rootKey(part)
	}
	return k + ":" + rootKey(part)
}

var (
	loginRoot = rootKey("sess")
	themeRoot = rootKey("theme")
)

func signOut(ns *kv.Namespace, r *http.Request) error { // want signOut:"kvsession"
	c, err := r.Cookie("sid")
	if err != nil {
		return err
	}
	return ns.Delete(string(loginRoot.Child(c.Value))) // want `A session revoked or consumed by a KV delete`
}

// Quiet: a preference, whatever the handler's name.
func signOutTheme(ns *kv.Namespace, user string) error {
	return ns.Delete(string(themeRoot.Child(user)))
}

// A value read, handed out and deleted: named by what the code calls it.
func reveal(ns *kv.Namespace, id string) (string, error) { // want reveal:"kvsession"
	k := "reveal:" + id
	secret, err := ns.GetString(k, nil)
	if err != nil || secret == "<null>" {
		return "", err
	}
	if err := ns.Delete(k); err != nil { // want `A secret revoked or consumed by a KV delete`
		return "", err
	}
	return secret, nil
}

// Quiet: a job taken from a queue key.
func takeJob(ns *kv.Namespace, id string) (string, error) {
	k := "job:" + id
	job, err := ns.GetString(k, nil)
	if err != nil || job == "<null>" {
		return "", err
	}
	return job, ns.Delete(k)
}

// A key root that is a short word for a code: vcode, a verification code.
var verifyRoot = rootKey("vcode")

func redeemCode(ns *kv.Namespace, email string) error { // want redeemCode:"kvsession"
	return ns.Delete(string(verifyRoot.Child(email))) // want `A one-time code revoked or consumed by a KV delete`
}

// Quiet: a postal code is no credential.
var zipRoot = rootKey("zipcode")

func forgetZip(ns *kv.Namespace, user string) error {
	return ns.Delete(string(zipRoot.Child(user)))
}
