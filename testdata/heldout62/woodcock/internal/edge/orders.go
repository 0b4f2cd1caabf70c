//go:build js && wasm

package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cache"
)

const (
	statusTTLSeconds = 24 * 3600
	etaTTLSeconds    = 45
)

type statusUpdate struct {
	Status     string `json:"status"`
	EtaMinutes int    `json:"etaMinutes,omitempty"`
	Courier    string `json:"courier,omitempty"`
}

// orderStatus answers the apps' status polls from the local cache when it can.
func orderStatus(w http.ResponseWriter, r *http.Request) {
	c := cache.New()
	if res, err := c.Match(r, nil); err == nil {
		defer res.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		io.Copy(w, res.Body)
		return
	}
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	status, err := ns.GetString("order:status:"+r.PathValue("orderId"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 30})
	if err != nil {
		fail(w, err)
		return
	}
	if status == "" { // EXPECT kvnull
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	}
	res := &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"public, max-age=10"}},
		Body:       io.NopCloser(strings.NewReader(status)),
	}
	cloudflare.WaitUntil(func() { _ = c.Put(r, res) })
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, status)
}

// orderWebhook receives status changes from the backend.
func orderWebhook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("orderId")
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var upd statusUpdate
	if err := json.Unmarshal(body, &upd); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	if err := ns.PutString("order:status:"+id, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: statusTTLSeconds}); err != nil {
		fail(w, err)
		return
	}
	if upd.Status == "placed" {
		_ = ns.PutString("order:views:"+id, "0", &cloudflare.KVNamespacePutOptions{ExpirationTTL: statusTTLSeconds}) // DEBATABLE kvcounter
	}
	if upd.EtaMinutes > 0 {
		opts := &cloudflare.KVNamespacePutOptions{}
		opts.ExpirationTTL = etaTTLSeconds // EXPECT kvttl
		if err := ns.PutString("order:eta:"+id, strconv.Itoa(upd.EtaMinutes), opts); err != nil {
			fail(w, err)
			return
		}
	}
	_ = ns.PutString("edge:hooks:last-received", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey

	statusURL := "https://" + r.Host + "/o/" + id + "/status"
	if req, err := http.NewRequest(http.MethodGet, statusURL, nil); err == nil {
		_ = cache.New().Delete(req, nil)
	}
	w.WriteHeader(http.StatusNoContent)
}

// trackingPage renders the public tracking page a customer can share.
func trackingPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("orderId")
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	views, err := ns.GetString("order:views:"+id, nil) // EXPECT kvnull
	if err != nil {
		fail(w, err)
		return
	}
	n, err := strconv.Atoi(views)
	if err != nil {
		http.Error(w, "view count unavailable", http.StatusInternalServerError)
		return
	}
	if err := ns.PutString("order:views:"+id, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter|kvrace
		fail(w, err)
		return
	}
	status, ok, err := lookup(ns, "order:status:"+id, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if !ok {
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	}
	eta, _, _ := lookup(ns, "order:eta:"+id, nil)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, renderTracking(id, status, eta, n+1))
}

func renderTracking(id, statusJSON, eta string, views int) string {
	var upd statusUpdate
	_ = json.Unmarshal([]byte(statusJSON), &upd)
	var b strings.Builder
	b.WriteString("<!doctype html><title>Order " + id + "</title><h1>" + upd.Status + "</h1>")
	if eta != "" {
		b.WriteString("<p>Arriving in about " + eta + " minutes</p>")
	}
	b.WriteString("<small>" + strconv.Itoa(views) + " views</small>")
	return b.String()
}
