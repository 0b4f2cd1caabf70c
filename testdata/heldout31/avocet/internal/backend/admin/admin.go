// Package admin is the backend's operator API.
package admin

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/avocet/internal/backend/cfstore"
)

type Admin struct {
	store *cfstore.Store
	log   *slog.Logger
	now   func() time.Time
}

func New(store *cfstore.Store, log *slog.Logger) *Admin {
	return &Admin{store: store, log: log, now: time.Now}
}

func (a *Admin) Routes(mux *http.ServeMux) {
	mux.HandleFunc("DELETE /admin/feed-tokens/{token}", a.revokeFeedToken)
	mux.HandleFunc("POST /admin/creators/{creator}/sign-out", a.signOutEverywhere)
	mux.HandleFunc("GET /admin/keys/export", a.exportKeys)
	mux.HandleFunc("GET /admin/keys/count", a.countKeys)
	mux.HandleFunc("GET /admin/keys/peek", a.peekKeys)
}

func (a *Admin) params() kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{AccountID: cloudflare.F(a.store.Account())}
}

// revokeFeedToken cuts a listener off a private feed (refund, abuse).
func (a *Admin) revokeFeedToken(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	_, err := a.store.Namespaces().Values.Delete(r.Context(), a.store.NamespaceID(), "feedtoken:"+token, // EXPECT kvsession
		kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(a.store.Account())})
	if err != nil && !cfstore.IsNotFound(err) {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	a.log.InfoContext(r.Context(), "feed token revoked", "token", token)
	w.WriteHeader(http.StatusNoContent)
}

// signOutEverywhere makes the edge refuse every session the creator was
// issued before now (lost laptop, password reset).
func (a *Admin) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	creator := r.PathValue("creator")
	stamp := strconv.FormatInt(a.now().Unix(), 10)
	if err := a.store.Write(r.Context(), "sessions-revoked:"+creator, []byte(stamp), 31*24*time.Hour); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// exportKeys streams every key name under a prefix.
func (a *Admin) exportKeys(w http.ResponseWriter, r *http.Request) {
	p := a.params()
	p.Prefix = cloudflare.F(r.URL.Query().Get("prefix"))
	iter := a.store.Namespaces().Keys.ListAutoPaging(r.Context(), a.store.NamespaceID(), p) // EXPECT kvlist
	w.Header().Set("Content-Type", "text/plain")
	for iter.Next() {
		fmt.Fprintln(w, iter.Current().Name)
	}
}

// countKeys counts keys under a prefix, up to 50 pages.
func (a *Admin) countKeys(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	p := a.params()
	p.Prefix = cloudflare.F(prefix)
	p.Limit = cloudflare.F(1000.0)
	total, complete := 0, false
	for pages := 0; pages < 50; pages++ {
		page, err := a.store.Namespaces().Keys.List(r.Context(), a.store.NamespaceID(), p) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		total += len(page.Result)
		if page.ResultInfo.Cursor == "" {
			complete = true
			break
		}
		p = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(a.store.Account()),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"prefix": prefix, "keys": total, "complete": complete})
}

// peekKeys returns the first few keys under a prefix and the cursor.
func (a *Admin) peekKeys(w http.ResponseWriter, r *http.Request) {
	p := a.params()
	p.Prefix = cloudflare.F(r.URL.Query().Get("prefix"))
	p.Limit = cloudflare.F(float64(5)) // EXPECT kvlimits
	if c := r.URL.Query().Get("cursor"); c != "" {
		p.Cursor = cloudflare.F(c)
	}
	page, err := a.store.Namespaces().Keys.List(r.Context(), a.store.NamespaceID(), p)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, len(page.Result))
	for i, k := range page.Result {
		names[i] = k.Name
	}
	json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": page.ResultInfo.Cursor})
}
