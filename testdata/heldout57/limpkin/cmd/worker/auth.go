//go:build js && wasm

package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/limpkin-lockers/limpkin/internal/edge/edgekv"
	"github.com/limpkin-lockers/limpkin/internal/edge/session"
	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

const oauthStateTTL = 10 * time.Minute

// courierLogin exchanges a courier device token for a session.
func courierLogin(w http.ResponseWriter, r *http.Request, _, auth *edgekv.Store) {
	var body struct {
		Courier string `json:"courier"`
		Device  string `json:"device"`
		Site    string `json:"site"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	want, err := auth.NS().GetString("courier-token:"+url.PathEscape(body.Courier), &cloudflare.KVNamespaceGetOptions{CacheTTL: 120})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if want == "" || want != body.Device { // EXPECT kvnull
		http.Error(w, "unknown device", http.StatusUnauthorized)
		return
	}
	if revoked, err := session.Revoked(auth, body.Courier); err != nil || revoked {
		http.Error(w, "revoked", http.StatusUnauthorized)
		return
	}
	c, err := session.Start(auth, body.Courier, session.Courier, body.Site)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, c)
	w.WriteHeader(http.StatusNoContent)
}

func issueMagic(w http.ResponseWriter, r *http.Request, _, auth *edgekv.Store) {
	email, site := r.FormValue("email"), r.FormValue("site")
	if email == "" {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	if _, err := session.IssueLink(auth, email, site); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func redeemMagic(w http.ResponseWriter, r *http.Request, _, auth *edgekv.Store) {
	email, site, err := session.RedeemLink(auth, r.PathValue("token"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusGone)
		return
	}
	c, err := session.Start(auth, email, session.Customer, site)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, "/parcels", http.StatusSeeOther)
}

func oauthStateEntry(state, returnTo string) (string, string, *cloudflare.KVNamespacePutOptions) {
	return "oauth-state:" + state, returnTo, &cloudflare.KVNamespacePutOptions{ExpirationTTL: kvx.Seconds(oauthStateTTL)}
}

func oauthStart(w http.ResponseWriter, r *http.Request, _, auth *edgekv.Store) {
	state := kvx.NewID()
	if err := auth.NS().PutString(oauthStateEntry(state, r.URL.Query().Get("return"))); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	q := url.Values{"state": {state}, "client_id": {"limpkin-partner"}, "response_type": {"code"}}
	http.Redirect(w, r, "https://partners.limpkin.app/authorize?"+q.Encode(), http.StatusFound)
}

func oauthCallback(w http.ResponseWriter, r *http.Request, _, auth *edgekv.Store) {
	state := r.URL.Query().Get("state")
	returnTo, found, err := auth.Lookup("oauth-state:" + state)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !found {
		http.Error(w, "unknown state", http.StatusBadRequest)
		return
	}
	if err := auth.Forget("oauth-state:" + state); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, kvx.FirstNonZero(returnTo, "/partner"), http.StatusFound)
}
