// Package handler serves /api/logout for the web player.
package handler

import (
	"net/http"

	"github.com/ruru-fm/ruru/internal/podcast"
	"github.com/ruru-fm/ruru/internal/vercelkv"
)

// Handler ends the caller's player session.
func Handler(w http.ResponseWriter, r *http.Request) {
	sid := vercelkv.SessionID(r)
	if sid == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	st, _, err := vercelkv.Store()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := st.Delete(r.Context(), podcast.SessionKey(sid)); err != nil { // EXPECT kvsession
		http.Error(w, "logout failed", http.StatusBadGateway)
		return
	}
	vercelkv.ClearSession(w)
	w.WriteHeader(http.StatusNoContent)
}
