package kvhotkey

import (
	"net/http"
	"net/url"

	"github.com/syumai/workers/cloudflare/kv"
)

// putEscaped escapes the key for a URL path, as a REST wrapper would.
func putEscaped(ns *kv.Namespace, key, v string) error {
	return ns.PutString(url.PathEscape(key), v, nil)
}

// A handler notes the last evaluation under a key that the wrapper
// escapes: "stats%2Flast-evaluated" still names the last one.
func serveEvaluate(ns *kv.Namespace) http.HandlerFunc { // want serveEvaluate:"kvhotkey"
	return func(w http.ResponseWriter, r *http.Request) {
		_ = putEscaped(ns, "stats/last-evaluated", r.URL.Query().Get("subject")) // want `this handler writes the same KV key on every request`
	}
}

// Quiet: a setting written through the same wrapper changes when someone
// acts, not on every request.
func serveNotice(ns *kv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = putEscaped(ns, "site/notice", r.FormValue("text"))
	}
}
