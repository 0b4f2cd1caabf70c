//go:build js && wasm

package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/redpoll-jobs/redpoll/internal/keys"
	"github.com/redpoll-jobs/redpoll/internal/records"
)

// listSaved returns the names of the caller's saved searches.
func (h *Handler) listSaved(w http.ResponseWriter, r *http.Request, b bucket, sess sessionRecord) {
	res, err := b.ns.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
		Prefix: keys.SavedSearches(sess.EmployerID) + "/",
	})
	if err != nil {
		fail(w, err)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, keys.SavedSearches(sess.EmployerID)+"/"))
	}
	writeJSON(w, http.StatusOK, map[string]any{"saved": names, "total": len(names)})
}

// addSaved appends a query to the caller's saved-search list.
func (h *Handler) addSaved(w http.ResponseWriter, r *http.Request, b bucket, sess sessionRecord) {
	q := strings.TrimSpace(r.FormValue("q"))
	if q == "" {
		http.Error(w, "empty query", http.StatusBadRequest)
		return
	}
	key := keys.SavedSearches(sess.EmployerID)
	var list []records.SavedSearch
	raw, ok, err := b.text(key)
	if err != nil {
		fail(w, err)
		return
	}
	if ok {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			fail(w, err)
			return
		}
	}
	for _, s := range list {
		if s.Query == q {
			writeJSON(w, http.StatusOK, list)
			return
		}
	}
	list = append(list, records.SavedSearch{UserID: sess.EmployerID, Query: q, Created: time.Now().UTC()})
	out, _ := json.Marshal(list)
	if err := b.put(key, string(out), 0); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, list)
}

// importSaved stores searches uploaded from another board, one key each.
func (h *Handler) importSaved(w http.ResponseWriter, r *http.Request, b bucket, sess sessionRecord) {
	var in []string
	if err := json.NewDecoder(io.LimitReader(r.Body, 256<<10)).Decode(&in); err != nil {
		http.Error(w, "want a JSON array of queries", http.StatusBadRequest)
		return
	}
	stampKey := keys.SavedSearches(sess.EmployerID) + "-updated"
	for i, q := range in {
		rec := records.SavedSearch{UserID: sess.EmployerID, Query: q, Created: time.Now().UTC().Add(time.Duration(i) * time.Second)}
		raw, _ := json.Marshal(rec)
		if err := b.put(records.Key(rec), string(raw), 0); err != nil {
			fail(w, err)
			return
		}
		if err := b.put(stampKey, rec.Created.Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
			fail(w, err)
			return
		}
	}
	writeJSON(w, http.StatusCreated, map[string]int{"imported": len(in)})
}

// purgeSaved deletes the caller's saved searches under an optional sub-folder.
func (h *Handler) purgeSaved(w http.ResponseWriter, r *http.Request, b bucket, sess sessionRecord, sub string) {
	prefix := keys.SavedSearches(sess.EmployerID) + "/" + sub
	cursor := ""
	deleted := 0
	for {
		res, err := b.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			fail(w, err)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if err := b.del(k.Name); err != nil {
				fail(w, err)
				return
			}
			deleted++
		}
		cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": deleted})
}
