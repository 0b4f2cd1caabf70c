//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

type paymentLink struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	InvoiceID string    `json:"invoice_id"`
	AmountDue int64     `json:"amount_due"`
	Currency  string    `json:"currency"`
	ExpiresAt time.Time `json:"expires_at"`
}

var payTmpl = template.Must(template.New("pay").Parse(
	`<h1>Invoice {{.InvoiceID}}</h1><p>{{.AmountDue}} {{.Currency}}</p><form method="post" action="redeem"><button>Pay</button></form>`))

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return strings.Split(r.RemoteAddr, ":")[0]
}

// allowIP keeps scrapers off the pay pages: 120 page views per IP and minute.
func allowIP(ns *kv.Namespace, ip string) (bool, error) {
	key := "ratelimit:pay:" + ip
	v, err := ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	hits := 0
	if v != kvNull {
		hits, _ = strconv.Atoi(v)
	}
	if hits >= 120 {
		return false, nil
	}
	return true, ns.PutString(key, strconv.Itoa(hits+1), &kv.PutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace
}

func handlePayPage(w http.ResponseWriter, r *http.Request) {
	ns, err := edge()
	if err != nil {
		fail(w, err)
		return
	}
	if ok, err := allowIP(ns, clientIP(r)); err != nil {
		fail(w, err)
		return
	} else if !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	v, err := ns.GetString("link:"+r.PathValue("tenant")+":"+r.PathValue("id"), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		fail(w, err)
		return
	}
	if v == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	var link paymentLink
	if err := json.Unmarshal([]byte(v), &link); err != nil {
		fail(w, err)
		return
	}
	cloudflare.WaitUntil(func() {
		_ = ns.PutString("portal:last-pay-view", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = payTmpl.Execute(w, link)
}

// handleRedeem counts a payment attempt in the link's Durable Object, which
// serialises attempts; KV only holds the link's configured ceiling.
func handleRedeem(w http.ResponseWriter, r *http.Request) {
	ns, err := edge()
	if err != nil {
		fail(w, err)
		return
	}
	tenant, id := r.PathValue("tenant"), r.PathValue("id")
	maxUses, err := ns.GetString("link-max-uses:"+tenant+":"+id, nil) // EXPECT kvnull
	if err != nil {
		fail(w, err)
		return
	}
	ceiling, err := strconv.Atoi(maxUses)
	if err != nil {
		fail(w, err)
		return
	}
	doNS, err := cloudflare.NewDurableObjectNamespace(linksDO)
	if err != nil {
		fail(w, err)
		return
	}
	stub, err := doNS.Get(doNS.IdFromName(tenant + ":" + id))
	if err != nil {
		fail(w, err)
		return
	}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("https://do/redeem?max=%d", ceiling), nil)
	res, err := stub.Fetch(req)
	if err != nil {
		fail(w, err)
		return
	}
	defer res.Body.Close()
	w.WriteHeader(res.StatusCode)
}
