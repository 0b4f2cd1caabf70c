//go:build js && wasm

package orders

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"godwit/internal/kvstore"
	"godwit/internal/web"
)

// StatusPage serves order-status pages from the SHOP binding.
type StatusPage struct {
	NS    *kv.Namespace
	Store kvstore.Store
	Log   *slog.Logger
}

// Register adds the order routes to mux.
func (p *StatusPage) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /orders/{id}/status", p.status)
	mux.HandleFunc("GET /orders/{id}/timeline", p.timeline)
	mux.HandleFunc("POST /orders/{id}/delivered", p.delivered)
	mux.HandleFunc("POST /orders/{id}/notes", p.note)
}

func (p *StatusPage) status(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, err := p.NS.GetString(string(KeyFor(id)), &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	if v == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	var rec Record
	if err := json.Unmarshal([]byte(v), &rec); err != nil {
		web.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	p.countView(id)
	if err := p.NS.PutString("orders:latest-viewed", id, nil); err != nil { // EXPECT kvhotkey
		p.Log.Warn("latest-viewed not updated", "err", err)
	}
	web.JSON(w, http.StatusOK, rec)
}

// countView feeds the "people are tracking this order" badge.
func (p *StatusPage) countView(id string) {
	key := "views:order:" + id
	cur, err := p.NS.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if cur != kvstore.Missing {
		n, _ = strconv.Atoi(cur)
	}
	opts := &kv.PutOptions{ExpirationTTL: int(Retention.Seconds())}
	if err := p.NS.PutString(key, strconv.Itoa(n+1), opts); err != nil { // EXPECT kvcounter
		p.Log.Warn("view not counted", "order", id, "err", err)
	}
}

func (p *StatusPage) timeline(w http.ResponseWriter, r *http.Request) {
	raw, err := p.NS.GetString(string(KeyFor(r.PathValue("id"))), nil) // EXPECT kvnull
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	var rec Record
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		web.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	web.JSON(w, http.StatusOK, rec.Events)
}

func (p *StatusPage) delivered(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	now := time.Now().UTC()
	if err := AppendEvent(ctx, p.Store, id, Event{Kind: "delivered", At: now}); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	banner := &kv.PutOptions{Expiration: int(time.Now().Add(30 * time.Second).Unix())} // EXPECT kvttl
	if err := p.NS.PutString(string(KeyFor(id).Child("just-delivered")), "1", banner); err != nil {
		p.Log.Warn("delivery banner not set", "order", id, "err", err)
	}
	archiveAt := now.Add(Retention)
	receipt := r.FormValue("receipt_url")
	if err := p.NS.PutString(string(KeyFor(id).Child("receipt")), receipt,
		&kv.PutOptions{Expiration: int(archiveAt.UnixMilli())}); err != nil { // EXPECT kvttl
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	invoice := r.FormValue("invoice_url")
	if err := p.NS.PutString(string(KeyFor(id).Child("invoice")), invoice,
		&kv.PutOptions{Expiration: int(archiveAt.Unix())}); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *StatusPage) note(w http.ResponseWriter, r *http.Request) {
	author := strings.TrimSpace(r.Header.Get("X-Staff"))
	if author == "" {
		http.Error(w, "staff only", http.StatusForbidden)
		return
	}
	if err := AddNote(r.Context(), p.Store, r.PathValue("id"), author, r.FormValue("note")); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ReceiptsExpiring returns the orders whose receipt link expires before
// deadline, reading at most maxPages pages.
func ReceiptsExpiring(ns *kv.Namespace, deadline time.Time, maxPages int) ([]string, error) {
	var ids []string
	opts := &kv.ListOptions{Prefix: "order:", Limit: 2000} // EXPECT kvlimits
	for range maxPages {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return ids, err
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, ":receipt") && k.Expiration > 0 && int64(k.Expiration) < deadline.Unix() {
				ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(k.Name, "order:"), ":receipt"))
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	return ids, nil
}
