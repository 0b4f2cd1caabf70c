package kvsession

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type downloadLinks struct{ ns *kv.Namespace }

func linkRecordKey(id string) string  { return "link/" + id }
func linkRevokedKey(id string) string { return "revoked/" + id }

// Revoke withdraws a download link: the revocation mark, and the delete of
// the link's record, which other locations keep serving.
func (d *downloadLinks) Revoke(w http.ResponseWriter, r *http.Request) { // want Revoke:"kvsession"
	id := r.URL.Query().Get("id")
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := d.ns.PutString(linkRevokedKey(id), stamp, &kv.PutOptions{ExpirationTTL: 86400}); err != nil { // want `revocation kept in KV`
		http.Error(w, "not revoked", http.StatusBadGateway)
		return
	}
	if err := d.ns.Delete(linkRecordKey(id)); err != nil { // want `A token revoked or consumed by a KV delete`
		http.Error(w, "record kept", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Quiet: the record deleted is made of another value than the one
// revoked: the link's slug in the owner's index.
func (d *downloadLinks) RevokeAndUnindex(w http.ResponseWriter, r *http.Request) { // want RevokeAndUnindex:"kvsession"
	id := r.URL.Query().Get("id")
	slug := r.URL.Query().Get("slug")
	if err := d.ns.PutString(linkRevokedKey(id), "1", &kv.PutOptions{ExpirationTTL: 86400}); err != nil { // want `revocation kept in KV`
		http.Error(w, "not revoked", http.StatusBadGateway)
		return
	}
	_ = d.ns.Delete("slug-index/" + slug)
	w.WriteHeader(http.StatusNoContent)
}
