package gateway

import (
	"encoding/json"
	"net/http"
)

// serveConsole answers the few JSON endpoints the web console uses.
func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	switch r.URL.Path {
	case "/_console/login":
		// The identity provider has already authenticated the user at the edge.
		owner, email := r.Header.Get("Cf-Access-Authenticated-User-Id"), r.Header.Get("Cf-Access-Authenticated-User-Email")
		if owner == "" {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		if _, err := s.Sessions.Start(ctx, w, owner, email); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "/_console/logout":
		if c, err := r.Cookie("tui_session"); err == nil {
			_ = s.Sessions.End(ctx, w, c.Value)
		}
		w.WriteHeader(http.StatusNoContent)
	case "/_console/usage":
		if _, err := s.Sessions.Load(ctx, r); err != nil {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		u, err := s.Objects.Usage(ctx, r.URL.Query().Get("bucket"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(u)
	case "/_console/keys/revoke":
		if _, err := s.Sessions.Load(ctx, r); err != nil {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		if err := s.Keys.Revoke(ctx, r.URL.Query().Get("id")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
