// Package activity stamps the time of the latest request, through the
// storage port; the adapter adds a prefix of its own to every key.
package activity

import (
	"net/http"
	"time"

	"kvlint.test/ports/store"
)

func Middleware(st store.Setter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		_ = st.Set(r.Context(), "meta:last-request", []byte(time.Now().UTC().Format(time.RFC3339)), time.Hour)
	})
}
