//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// flagsCacheTTL keeps flag flips visible at the edge within seconds.
const flagsCacheTTL = 15

// serveFlags answers the CLI's start-up flag check.
func (e *Env) serveFlags(w http.ResponseWriter, r *http.Request) {
	if ua := r.Header.Get("User-Agent"); strings.HasPrefix(ua, "dunlin-cli/") {
		_ = e.flags.PutString("cli:latest-seen", strings.TrimPrefix(ua, "dunlin-cli/"), nil) // EXPECT kvhotkey
	}
	raw, err := e.flags.GetString("flags:global", &kv.GetOptions{CacheTTL: flagsCacheTTL}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "flags unavailable", http.StatusServiceUnavailable)
		return
	}
	flags := map[string]bool{}
	if raw != missing {
		if err := json.Unmarshal([]byte(raw), &flags); err != nil {
			http.Error(w, "flags corrupt", http.StatusInternalServerError)
			return
		}
	}
	if tenant := r.URL.Query().Get("tenant"); tenant != "" {
		tr, err := e.flags.GetString("flags:tenant:"+tenant, &kv.GetOptions{CacheTTL: 120})
		if err == nil && tr != missing {
			var over map[string]bool
			if json.Unmarshal([]byte(tr), &over) == nil {
				for k, v := range over {
					flags[k] = v
				}
			}
		}
	}
	w.Header().Set("Cache-Control", "private, max-age=30")
	writeJSON(w, http.StatusOK, flags)
}
