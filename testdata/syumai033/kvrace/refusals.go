package kvrace

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// A claim refused with the owner's name in the refusal's text: the owner
// is read only to say no.
func reserveMoniker(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	alias, team := r.FormValue("alias"), r.FormValue("team")
	owner, err := ns.GetString("alias:"+alias, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if owner != "<null>" {
		http.Error(w, fmt.Sprintf("%s is taken by %s", alias, owner), http.StatusConflict)
		return
	}
	_ = ns.PutString("alias:"+alias, team, nil) // want `check-then-create on one KV key`
}

// Quiet: the value read greets the caller on one branch, and the other
// branch writes the caller's visit; nothing is claimed.
func greetVisitor(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	visitor := r.FormValue("visitor")
	last, err := ns.GetString("visit:"+visitor, nil)
	if err != nil {
		return
	}
	if last != "<null>" {
		_, _ = w.Write([]byte(fmt.Sprintf("welcome back, last seen %s", last)))
		return
	}
	_ = ns.PutString("visit:"+visitor, r.FormValue("at"), nil)
}

// The same claim from a decoded request, its refusal's text joined
// with +.
type handleRequest struct {
	Handle, Team string
}

func reserveTeamHandle(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	var req handleRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	owner, err := ns.GetString("handle:"+req.Handle, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if owner != "<null>" {
		http.Error(w, "handle in use by "+owner, http.StatusConflict)
		return
	}
	_ = ns.PutString("handle:"+req.Handle, req.Team, &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600}) // want `check-then-create on one KV key`
}

// Quiet: the text joined with + greets the caller; it refuses nothing.
func greetMember(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	member := r.FormValue("member")
	last, err := ns.GetString("seen:"+member, nil)
	if err != nil {
		return
	}
	if last != "<null>" {
		_, _ = w.Write([]byte("welcome back, last seen " + last))
		return
	}
	_ = ns.PutString("seen:"+member, r.FormValue("at"), nil)
}
