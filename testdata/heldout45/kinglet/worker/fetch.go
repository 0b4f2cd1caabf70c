//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const (
	kvMissing       = "<null>"
	sessionCacheFor = 10 * time.Minute
	loginLimit      = 10
)

func (e *edge) fromOrigin(r *http.Request, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, e.origin+path, nil)
	if err != nil {
		return nil, err
	}
	res, err := e.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("origin %s: %s", path, res.Status)
	}
	return io.ReadAll(res.Body)
}

// rates serves exchange rates from the edge cache.
func (e *edge) rates(w http.ResponseWriter, r *http.Request) {
	base := strings.ToUpper(r.PathValue("base"))
	key := "fx:" + base
	v, err := e.cache.GetString(key, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		body, err := e.fromOrigin(r, "/fx/"+base)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		v = string(body)
		if err := e.cache.PutString(key, v, &kv.PutOptions{ExpirationTTL: 300}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, v)
}

// payPage renders the public payment page for a link token.
func (e *edge) payPage(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	v, err := e.links.GetString("paylink:"+tok, &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == kvMissing {
		http.Error(w, "this payment link has expired or was already used", http.StatusNotFound)
		return
	}
	var link struct {
		Invoice     string `json:"invoice"`
		AmountCents int64  `json:"amount_cents"`
		Currency    string `json:"currency"`
	}
	if err := json.Unmarshal([]byte(v), &link); err != nil {
		http.Error(w, "bad link", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<h1>Invoice %s</h1><p>%.2f %s</p>", link.Invoice, float64(link.AmountCents)/100, link.Currency)
	if err := e.links.PutString("edge:last-pay-view", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		fmt.Println("last view:", err)
	}
}

// invoiceStatus shows whether an invoice has been paid.
func (e *edge) invoiceStatus(w http.ResponseWriter, r *http.Request) {
	raw, err := e.links.GetString("paid:"+r.PathValue("number"), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var st struct {
		PaidAt time.Time `json:"paid_at"`
		Amount int64     `json:"amount"`
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		http.Error(w, "status unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"paid": true, "paid_at": st.PaidAt, "amount": st.Amount})
}

// login throttles portal logins per client address before handing off to
// the origin.
func (e *edge) login(w http.ResponseWriter, r *http.Request) {
	ip := r.Header.Get("CF-Connecting-IP")
	key := "ratelimit:login:" + ip
	v, err := e.sessions.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == kvMissing {
		v = "0"
	}
	n, _ := strconv.Atoi(v)
	if n >= loginLimit {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	if err := e.sessions.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 600}); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, e.origin+"/login", http.StatusTemporaryRedirect)
}

// oauthCallback finishes single sign-on for enterprise customers.
func (e *edge) oauthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		http.Error(w, "missing state", http.StatusBadRequest)
		return
	}
	stored, err := e.sessions.GetString("oauth-state:"+state, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if stored == kvMissing {
		http.Error(w, "unknown or expired sign-in attempt", http.StatusBadRequest)
		return
	}
	if err := e.sessions.Delete("oauth-state:" + state); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body, err := e.fromOrigin(r, "/sso/exchange?code="+url.QueryEscape(q.Get("code"))+"&verifier="+url.QueryEscape(stored))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var out struct {
		SessionID string `json:"session_id"`
		Profile   string `json:"profile"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := e.sessions.PutString("sess-profile:"+out.SessionID, out.Profile, &kv.PutOptions{ExpirationTTL: int(sessionCacheFor)}); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "kinglet_session", Value: out.SessionID, Path: "/", HttpOnly: true, Secure: true})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}
