package kvrace

import (
	"errors"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

var errReplayed = errors.New("replayed")

// A request's nonce, refused when seen before and then marked for the
// window in which it is accepted: two copies of the request both find it
// unseen, and both are let through.
func acceptOnce(ns *kv.Namespace, r *http.Request, uploadID string) error {
	nonce := r.Header.Get("X-Nonce")
	seen, err := ns.GetString("nonce/"+nonce, nil)
	if err != nil || seen != "<null>" {
		return errReplayed
	}
	return ns.PutString("nonce/"+nonce, uploadID, &kv.PutOptions{ExpirationTTL: 120}) // want `check-then-create on one KV key`
}

// Quiet: a cooldown on who asks, for two minutes.
func resendOnce(ns *kv.Namespace, r *http.Request, email string) error {
	seen, err := ns.GetString("resent/"+email, nil)
	if err != nil || seen != "<null>" {
		return errReplayed
	}
	return ns.PutString("resent/"+email, "1", &kv.PutOptions{ExpirationTTL: 120})
}
