//go:build js && wasm

package lobbykv

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ServePage renders the waiting-room page variant named in the path.
func (l *Lobby) ServePage(w http.ResponseWriter, r *http.Request) {
	variant := strings.ToLower(r.PathValue("variant"))
	html, err := l.ns.GetString("page:"+variant, &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "page unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=30")
	io.WriteString(w, html)
}

// RecordArrival notes the time of the latest lobby arrival for the
// operator dashboard, then hands over to next.
func (l *Lobby) RecordArrival(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = l.ns.PutString("lobby:last-arrival", l.now().UTC().Format(time.RFC3339Nano), nil) // EXPECT kvhotkey
		next.ServeHTTP(w, r)
	})
}
