//go:build js && wasm

package menu

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"example.com/saffron/internal/edgekv"
	"github.com/syumai/workers/cloudflare/kv"
)

// Handler serves published menus.
type Handler struct {
	ns     func() (*kv.Namespace, error)
	kv     func() (*edgekv.Client, error)
	source Source
}

// NewHandler returns the public menu handler.
func NewHandler(binding string, source Source) *Handler {
	ns := sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace(binding) })
	return &Handler{
		ns: ns,
		kv: sync.OnceValues(func() (*edgekv.Client, error) {
			n, err := ns()
			if err != nil {
				return nil, err
			}
			return edgekv.Wrap(n, binding), nil
		}),
		source: source,
	}
}

// Register mounts the routes on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /menus/{rid}/{slug}", h.menu)
	mux.HandleFunc("GET /menus/{rid}/specials", h.specials)
	mux.HandleFunc("GET /menus/{rid}/happy-hour", h.happyHour)
	mux.HandleFunc("GET /menus/{rid}/{slug}/pdf", h.pdf)
	mux.HandleFunc("GET /menus/{rid}/scan", h.scan)
	mux.HandleFunc("GET /dishes/{id}", h.dish)
}

func (h *Handler) namespace(w http.ResponseWriter) (*kv.Namespace, bool) {
	ns, err := h.ns()
	if err != nil {
		http.Error(w, "menus unavailable", http.StatusServiceUnavailable)
		return nil, false
	}
	return ns, true
}

func (h *Handler) menu(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	v, err := ns.GetString(menuKey(r.PathValue("rid"), r.PathValue("slug")), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "menu lookup failed", http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	writeJSON(w, v, 300)
}

func (h *Handler) specials(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	v, err := ns.GetString("menu:specials:"+r.PathValue("rid"), &kv.GetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "specials lookup failed", http.StatusBadGateway)
		return
	}
	if v == "<null>" {
		writeJSON(w, `{"specials":[]}`, 30)
		return
	}
	writeJSON(w, v, 10)
}

func (h *Handler) happyHour(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	v, err := ns.GetString("menu:happy-hour:"+r.PathValue("rid"), &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if v == "<null>" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, v, 60)
}

func (h *Handler) dish(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	id := r.PathValue("id")
	key := "dish:" + id
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 600})
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if v == "<null>" {
		v, err = h.source.Dish(r.Context(), id)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_ = ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 600})
	}
	writeJSON(w, v, 600)
}

func (h *Handler) pdf(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	rid, slug := r.PathValue("rid"), r.PathValue("slug")
	body, err := ns.GetReader("menu-pdf:"+rid+":"+slug, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+slug+`.pdf"`)
	_, _ = io.Copy(w, body)
}

func (h *Handler) scan(w http.ResponseWriter, r *http.Request) {
	rid := r.PathValue("rid")
	c, err := h.kv()
	if err == nil {
		key := "qr-scans:" + rid + ":" + now().UTC().Format("20060102")
		raw, found, err := c.Text(key)
		if err == nil {
			n := 0
			if found {
				n, _ = strconv.Atoi(raw)
			}
			_ = c.Write(key).Value(strconv.Itoa(n + 1)).TTL(90 * 24 * time.Hour).Do(r.Context()) // EXPECT kvcounter
		}
	}
	http.Redirect(w, r, "/menus/"+rid, http.StatusFound)
}

func writeJSON(w http.ResponseWriter, body string, maxAge int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(maxAge))
	_, _ = io.WriteString(w, body)
}
