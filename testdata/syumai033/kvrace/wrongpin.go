package kvrace

import (
	"crypto/subtle"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// A PIN gate: a lockout key refuses while it is there, and a wrong PIN
// sets it before the 403. The put records a failure on the way to turning
// the caller away; it claims nothing for this request.
func checkPIN(ns *kv.Namespace, w http.ResponseWriter, student, pin string) bool {
	lock, err := ns.GetString("pin-lock:"+student, nil)
	if err != nil || lock != "<null>" {
		http.Error(w, "wait a moment", http.StatusTooManyRequests)
		return false
	}
	want, err := ns.GetString("pin:"+student, nil)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return false
	}
	if want == "<null>" || subtle.ConstantTimeCompare([]byte(want), []byte(pin)) != 1 {
		_ = ns.PutString("pin-lock:"+student, "1", &kv.PutOptions{ExpirationTTL: 300})
		http.Error(w, "invalid PIN", http.StatusForbidden)
		return false
	}
	return true
}

// A lock taken when it is free, then the work: a claim, whatever follows.
func takeLock(ns *kv.Namespace, w http.ResponseWriter, job string) bool {
	holder, err := ns.GetString("job-lock:"+job, nil)
	if err != nil || holder != "<null>" {
		http.Error(w, "busy", http.StatusConflict)
		return false
	}
	if err := ns.PutString("job-lock:"+job, "1", &kv.PutOptions{ExpirationTTL: 300}); err != nil { // want `check-then-create on one KV key`
		http.Error(w, "try again", http.StatusBadGateway)
		return false
	}
	return true
}
