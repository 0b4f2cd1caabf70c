package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type loginHandler struct{ ns *kv.Namespace }

// A stamp named run together after "last" is written on every request.
func (h *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { // want ServeHTTP:"kvhotkey"
	_ = h.ns.PutString("staff:lastlogin", time.Now().Format(time.RFC3339), nil) // want `this handler writes the same KV key on every request`
	w.WriteHeader(http.StatusNoContent)
}

type profileHandler struct{ ns *kv.Namespace }

// A setting a handler writes when someone changes it is no stamp.
func (h *profileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = h.ns.PutString("site:lastname-format", r.FormValue("format"), nil)
	w.WriteHeader(http.StatusNoContent)
}

type shelfHandler struct{ ns *kv.Namespace }

// The home page's "recently played" shelf, written on every play.
func (h *shelfHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { // want ServeHTTP:"kvhotkey"
	_ = h.ns.PutString("home:recently-played", r.PathValue("episode"), nil) // want `this handler writes the same KV key on every request`
	w.WriteHeader(http.StatusNoContent)
}
