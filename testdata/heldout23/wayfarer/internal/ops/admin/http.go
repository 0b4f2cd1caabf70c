package admin

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// Routes mounts the console's HTTP endpoints. They sit behind the office
// VPN; there is no further auth.
func (a *Admin) Routes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /site/banner", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := a.store.Put(r.Context(), "config:site-banner", body); err != nil { // DEBATABLE kvhotkey
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /partners/{id}/quota", func(w http.ResponseWriter, r *http.Request) {
		extra, err := strconv.Atoi(r.URL.Query().Get("extra"))
		if err != nil || extra <= 0 {
			http.Error(w, "extra must be a positive integer", http.StatusBadRequest)
			return
		}
		total, err := a.GrantQuota(r.Context(), r.PathValue("id"), extra)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]int{"monthly_quota": total})
	})
	mux.HandleFunc("POST /travellers/{id}/revoke-sessions", func(w http.ResponseWriter, r *http.Request) {
		if err := a.RevokeSessions(r.Context(), r.PathValue("id")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
