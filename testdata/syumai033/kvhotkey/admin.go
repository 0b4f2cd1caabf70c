package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// The admin's handlers live in this file and run when an operator acts.
type adminPages struct{ ns *kv.Namespace }

// Quiet: a banner an operator publishes now and then.
func (a adminPages) publishBanner(w http.ResponseWriter, r *http.Request) {
	_ = a.ns.PutString("banner", r.FormValue("text"), nil)
}

// A probe kept beside them is still polled by the load balancer on
// every interval, from every location.
func (a adminPages) Health(w http.ResponseWriter, r *http.Request) { // want Health:"kvhotkey"
	_ = a.ns.PutString("edge:health", time.Now().UTC().Format(time.RFC3339), nil) // want `this handler writes the same KV key on every request`
	w.WriteHeader(http.StatusNoContent)
}
