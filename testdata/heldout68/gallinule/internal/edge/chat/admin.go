//go:build js && wasm

package chat

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

func (e *env) admin(w http.ResponseWriter, r *http.Request, what string) {
	want := cloudflare.Getenv("ADMIN_TOKEN")
	got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	switch what {
	case "convos":
		e.adminConvos(w, r)
	case "export":
		e.adminExport(w, r)
	case "summaries":
		e.adminSummaries(w, r)
	case "rooms":
		e.adminRooms(w, r)
	default:
		http.NotFound(w, r)
	}
}

// adminConvos lists the ids of all stored conversations.
func (e *env) adminConvos(w http.ResponseWriter, r *http.Request) {
	var ids []string
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: "convo:",
		Limit:  2000, // EXPECT kvlimits
	}
	for {
		res, err := e.kv.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, "convo:"))
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(ids), "ids": ids})
}

// adminExport streams every key of one user's drafts, newline-separated.
func (e *env) adminExport(w http.ResponseWriter, r *http.Request) {
	prefix := "draft:" + r.URL.Query().Get("user") + ":"
	res, err := e.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000})
	w.Header().Set("Content-Type", "text/plain")
	for pages := 0; err == nil && pages < 50; pages++ {
		for _, k := range res.Keys {
			_, _ = w.Write([]byte(k.Name + "\n"))
		}
		if res.ListComplete {
			return
		}
		res, err = e.kv.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
}

// adminSummaries returns one page of conversation summaries.
func (e *env) adminSummaries(w http.ResponseWriter, r *http.Request) {
	res, err := e.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "convo:", Limit: 100, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out := make([]map[string]any, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := e.kv.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || raw == kvMissing {
			continue
		}
		var c Conversation
		if json.Unmarshal([]byte(raw), &c) != nil {
			continue
		}
		out = append(out, map[string]any{"id": c.ID, "agent": c.Agent, "turns": len(c.Turns), "summary": c.Summary})
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"summaries": out, "next_cursor": next})
}

// adminRooms returns up to maxRooms room slugs.
func (e *env) adminRooms(w http.ResponseWriter, r *http.Request) {
	const maxRooms = 5000
	var slugs []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "room:", Limit: 1000}
	for len(slugs) < maxRooms {
		res, err := e.kv.List(opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			slugs = append(slugs, strings.TrimPrefix(k.Name, "room:"))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"rooms": slugs, "truncated": len(slugs) >= maxRooms})
}

// Nightly runs from the Worker's cron trigger once a day. It publishes the
// day's message totals from D1 for the status page.
func Nightly(ctx context.Context) error {
	ns, err := cloudflare.NewKVNamespace("CHAT_KV")
	if err != nil {
		return err
	}
	e, err := New().open()
	if err != nil {
		return err
	}
	var users, messages int
	if err := e.db.QueryRowContext(ctx, `SELECT count(DISTINCT user_id), coalesce(sum(messages), 0) FROM usage WHERE day = date('now', '-1 day')`).Scan(&users, &messages); err != nil {
		return err
	}
	b, _ := json.Marshal(map[string]any{"day": time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02"), "users": users, "messages": messages})
	return ns.PutString("status:yesterday", string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 24 * 3600})
}
