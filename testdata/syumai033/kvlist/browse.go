package kvlist

import (
	"encoding/json"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// browsePage is one page of an admin browser, with the cursor for the next.
type browsePage struct {
	Names  []string `json:"names"`
	Cursor string   `json:"cursor,omitempty"`
}

// Quiet: the page goes back with its cursor.
func browse(ns *kv.Namespace, cursor string) (*browsePage, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "acct/", Cursor: cursor})
	if err != nil {
		return nil, err
	}
	p := &browsePage{}
	for _, k := range res.Keys {
		p.Names = append(p.Names, k.Name)
	}
	if !res.ListComplete {
		p.Cursor = res.Cursor
	}
	return p, nil
}

// Quiet: the page is sent to the client whole, cursor and all.
func serveBrowse(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	p, err := browse(ns, r.URL.Query().Get("cursor"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(p)
}

// Quiet: the same, sent as a value.
func serveBrowseValue(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	p, err := browse(ns, r.URL.Query().Get("cursor"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(*p)
}

// Only the names are sent: the next pages are lost.
func serveNames(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) { // want serveNames:"kvlist"
	p, err := browse(ns, "") // want `only the first page of this list is used`
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(p.Names)
}
