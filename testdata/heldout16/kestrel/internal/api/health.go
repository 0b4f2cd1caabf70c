package api

import (
	"net/http"
	"time"

	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/store"
)

// Health reports whether storage accepts writes.
func Health(st store.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		stamp := time.Now().UTC().Format(time.RFC3339Nano)
		if err := st.Put(r.Context(), "health/canary", stamp, time.Minute); err != nil { // EXPECT kvhotkey
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "degraded", "error": err.Error()})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}
