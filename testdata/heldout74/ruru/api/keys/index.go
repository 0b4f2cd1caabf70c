// Package handler serves /api/keys for the support dashboard: one page of a
// namespace listing at a time, with the cursor handed back to the caller.
package handler

import (
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/ruru-fm/ruru/internal/vercelkv"
)

var allowedPrefixes = []string{"show:", "ep:", "rss:", "rollup:", "slug:"}

// Handler returns {keys, cursor}; an empty cursor means the listing is done.
func Handler(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+os.Getenv("RURU_SUPPORT_TOKEN") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	q := r.URL.Query()
	prefix := q.Get("prefix")
	ok := false
	for _, p := range allowedPrefixes {
		ok = ok || strings.HasPrefix(prefix, p)
	}
	if !ok {
		http.Error(w, "prefix not allowed", http.StatusBadRequest)
		return
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil {
		limit = 100
	}
	st, _, err := vercelkv.Store()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	page, err := st.ListPage(r.Context(), prefix, q.Get("cursor"), limit)
	if err != nil {
		http.Error(w, "list failed", http.StatusBadGateway)
		return
	}
	names := make([]string, len(page.Keys))
	for i, k := range page.Keys {
		names[i] = k.Name
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": page.Cursor})
}
