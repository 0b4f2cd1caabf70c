//go:build js && wasm

package edge

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"bobolink/internal/edgekv"
	"bobolink/internal/kvkeys"
)

// apiTenant authenticates the admin API: "Bearer <tokenID>.<secret>", where
// the secret part is checked by the dashboard's signing key and revocations
// are published by campaignd.
func (d Deps) apiTenant(w http.ResponseWriter, r *http.Request) (*edgekv.Tenant, bool) {
	t, ok := d.tenant(w, r)
	if !ok {
		return nil, false
	}
	tokenID, _, ok := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), ".")
	if !ok || tokenID == "" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	_, err := d.Sessions.GetWarm(r.Context(), kvkeys.Static(kvkeys.RevokedKey(tokenID).Key()), time.Minute)
	switch {
	case errors.Is(err, edgekv.ErrNotFound):
		return t, true
	case err == nil:
		http.Error(w, "token revoked", http.StatusUnauthorized)
	default:
		http.Error(w, "unavailable", http.StatusBadGateway)
	}
	return nil, false
}

// handleMembersPage returns one page of member keys; the dashboard passes
// the cursor back for the next page.
func handleMembersPage(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.apiTenant(w, r)
		if !ok {
			return
		}
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit <= 0 || limit > 1000 {
			limit = 100
		}
		page, err := t.KV.ListPage(r.Context(), kvkeys.SubscriberPrefix(r.PathValue("list")), r.URL.Query().Get("cursor"), limit)
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": page.Names, "cursor": page.Cursor, "complete": page.Done})
	}
}

// handleExport streams a list as CSV.
func handleExport(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.apiTenant(w, r)
		if !ok {
			return
		}
		ns := t.KV.Namespace()
		res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: kvkeys.SubscriberPrefix(r.PathValue("list")), Limit: 1000}) // EXPECT kvlist
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		out := csv.NewWriter(w)
		_ = out.Write([]string{"email", "status", "confirmed_at"})
		for _, k := range res.Keys {
			v, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == "<null>" {
				continue
			}
			var rec subscriberRecord
			if json.Unmarshal([]byte(v), &rec) != nil {
				continue
			}
			_ = out.Write([]string{rec.Email, rec.Status, rec.ConfirmedAt.Format(time.RFC3339)})
		}
		out.Flush()
	}
}

// handleCount counts a list's members for the dashboard header.
func handleCount(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.apiTenant(w, r)
		if !ok {
			return
		}
		ns := t.KV.Namespace()
		opts := &cloudflare.KVNamespaceListOptions{
			Prefix: kvkeys.SubscriberPrefix(r.PathValue("list")),
			Limit:  2500, // EXPECT kvlimits
		}
		total := 0
		for {
			res, err := ns.List(opts) // EXPECT kvlist
			if err != nil {
				http.Error(w, "unavailable", http.StatusBadGateway)
				return
			}
			if len(res.Keys) == 0 || res.Cursor == "" {
				break
			}
			total += len(res.Keys)
			opts.Cursor = res.Cursor
		}
		_, _ = io.WriteString(w, strconv.Itoa(total))
	}
}

// handleReindex re-tags members from a query, at most maxPages pages per call.
func handleReindex(d Deps) http.HandlerFunc {
	const maxPages = 20
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.apiTenant(w, r)
		if !ok {
			return
		}
		tag := r.URL.Query().Get("tag")
		ns := t.KV.Namespace()
		opts := &cloudflare.KVNamespaceListOptions{Prefix: kvkeys.SubscriberPrefix(r.PathValue("list")), Limit: 1000}
		var names []string
		for page := 0; page < maxPages; page++ {
			res, err := ns.List(opts) // EXPECT kvlist
			if err != nil {
				http.Error(w, "unavailable", http.StatusBadGateway)
				return
			}
			for _, k := range res.Keys {
				names = append(names, k.Name)
			}
			if res.ListComplete {
				break
			}
			opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
		}
		job, _ := json.Marshal(map[string]any{"kind": "list.tag", "tenant": t.ID, "tag": tag, "keys": names})
		if err := d.Outbox.SendText(string(job)); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// handlePreview stores a rendered draft so the dashboard can open it in a
// new tab.
func handlePreview(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.apiTenant(w, r)
		if !ok {
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 2<<20))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		id := newToken()
		key := kvkeys.Static("preview/" + t.ID + "/" + id)
		if err := d.Edge.Put(r.Context(), key, string(body), 30*time.Second); err != nil { // EXPECT kvttl
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"url": "https://" + t.Host + "/preview/" + id})
	}
}
