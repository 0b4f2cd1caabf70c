package kvsession

import (
	"encoding/json"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

type tokenGrants struct{ codes, promos *kv.Namespace }

// An authorization code, named only "code", read at the token endpoint
// and then deleted: it stays redeemable elsewhere until the delete
// reaches every location.
func (g *tokenGrants) exchange(w http.ResponseWriter, r *http.Request) { // want exchange:"kvsession"
	code := r.FormValue("code")
	owner, err := g.codes.GetString(code, nil)
	if err != nil {
		http.Error(w, "invalid_grant", http.StatusBadRequest)
		return
	}
	if err := g.codes.Delete(code); err != nil { // want `A one-time code revoked or consumed by a KV delete`
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"sub": owner})
}

// Quiet: a promotion withdrawn by an operator, deleted without reading it.
func (g *tokenGrants) withdraw(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if err := g.promos.Delete(code); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// Quiet: a country's settings read, changed and written back; no delete.
func (g *tokenGrants) rename(code, name string) error {
	raw, err := g.promos.GetString(code, nil)
	if err != nil {
		return err
	}
	return g.promos.PutString(code, raw+name, nil)
}

// Quiet: a currency code read and then deleted; the name says which code.
func (g *tokenGrants) retire(currencyCode string) (string, error) {
	rate, err := g.promos.GetString(currencyCode, nil)
	if err != nil {
		return "", err
	}
	return rate, g.promos.Delete(currencyCode)
}
