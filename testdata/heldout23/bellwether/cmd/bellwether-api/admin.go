package main

import (
	"encoding/json"
	"net/http"

	"example.com/bellwether/internal/ops"
)

// mountAdmin exposes operator tasks on the internal listener.
func mountAdmin(mux *http.ServeMux, admin *ops.Admin) {
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /admin/flags", func(w http.ResponseWriter, r *http.Request) {
		f, err := admin.FeatureFlags(r.Context())
		reply(w, f, err)
	})
	mux.HandleFunc("POST /admin/sites/{site}/origins", func(w http.ResponseWriter, r *http.Request) {
		reply(w, "ok", admin.AllowOrigin(r.Context(), r.PathValue("site"), r.FormValue("origin")))
	})
	mux.HandleFunc("DELETE /admin/tokens/{jti}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, "ok", admin.RevokeEmbedToken(r.Context(), r.PathValue("jti")))
	})
	mux.HandleFunc("POST /admin/polls/{id}/purge", func(w http.ResponseWriter, r *http.Request) {
		n, err := admin.PurgePoll(r.Context(), r.PathValue("id"))
		reply(w, map[string]int{"deleted": n}, err)
	})
}
