package artifacts

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Handler serves the cache protocol runners speak:
//
//	GET /cache/{org}/{key}   restore (X-Restore-Keys: comma-separated prefixes)
//	PUT /cache/{org}/{key}   record an uploaded blob's manifest
func Handler(ix *Index) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cache/{org}/{key}", func(w http.ResponseWriter, r *http.Request) {
		ctx, org := r.Context(), r.PathValue("org")
		m, err := ix.Lookup(ctx, org, r.PathValue("key"))
		if errors.Is(err, ErrCacheMiss) || err != nil {
			if h := r.Header.Get("X-Restore-Keys"); h != "" {
				m, err = ix.Restore(ctx, org, strings.Split(h, ","))
			}
		}
		if err != nil {
			http.Error(w, "cache miss", http.StatusNoContent)
			return
		}
		if err := ix.RecordHit(ctx, m); err != nil {
			ix.Log.Warn("record cache hit", "org", org, "err", err)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(m)
	})
	mux.HandleFunc("PUT /cache/{org}/{key}", func(w http.ResponseWriter, r *http.Request) {
		var m Manifest
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.Object == "" {
			http.Error(w, "manifest needs an object", http.StatusBadRequest)
			return
		}
		m.Org, m.Key, m.CreatedAt = r.PathValue("org"), r.PathValue("key"), time.Now().UTC()
		if err := ix.Save(r.Context(), m, EntryTTL); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	return mux
}
