package kvsession

import (
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

type waitRoom struct{ ns *kv.Namespace }

// A queue token, named only by the request parameter the key is made
// of, spent once the pass is issued.
func (wr *waitRoom) redeem(w http.ResponseWriter, r *http.Request) { // want redeem:"kvsession"
	key := "wr:" + r.URL.Query().Get("token")
	if err := wr.ns.Delete(key); err != nil { // want `A token revoked or consumed by a KV delete`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// The same, from a form field.
func (wr *waitRoom) redeemForm(w http.ResponseWriter, r *http.Request) { // want redeemForm:"kvsession"
	if err := wr.ns.Delete("wr:" + r.FormValue("token")); err != nil { // want `A token revoked or consumed by a KV delete`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// Quiet: the parameter names a page of a listing cached at the edge.
func (wr *waitRoom) dropPage(w http.ResponseWriter, r *http.Request) {
	key := "wr:list:" + r.URL.Query().Get("page")
	if err := wr.ns.Delete(key); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// The same, the parameter kept in a variable first: an approval link,
// read and then spent.
func (wr *waitRoom) approve(w http.ResponseWriter, r *http.Request) { // want approve:"kvsession"
	tok := r.PathValue("token")
	if _, err := wr.ns.GetString("approval:"+tok, nil); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := wr.ns.Delete("approval:" + tok); err != nil { // want `A token revoked or consumed by a KV delete`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// Quiet: a variable holding a slug of a short link, which is no secret.
func (wr *waitRoom) unlink(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if _, err := wr.ns.GetString("link:"+slug, nil); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := wr.ns.Delete("link:" + slug); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}
