//go:build js && wasm

// Package embedworker is the Worker that serves poll embeds from the edge:
// documents, public counts and a few respondent actions that must not wait
// for a round trip to the origin.
package embedworker

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/bellwether/edge/kvedge"
)

// Worker holds the edge configuration.
type Worker struct {
	binding string
	origin  string
	client  *http.Client
}

// New returns a Worker reading KV binding and falling back to origin unless
// the BELLWETHER_ORIGIN variable overrides it.
func New(binding, origin string) *Worker {
	return &Worker{binding: binding, origin: strings.TrimSuffix(origin, "/"), client: &http.Client{Timeout: 5 * time.Second}}
}

func (wk *Worker) originURL() string {
	if v := cloudflare.Getenv("BELLWETHER_ORIGIN"); v != "" && v != "<undefined>" {
		return strings.TrimSuffix(v, "/")
	}
	return wk.origin
}

type kvHandler func(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace)

// with binds KV for the request; the binding only exists inside one.
func (wk *Worker) with(h kvHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := kvedge.Open(wk.binding)
		if err != nil {
			http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := ns.Raw().PutString("edge:last-request", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			w.Header().Set("X-Edge-Warn", "stamp failed")
		}
		h(w, r, ns)
	}
}

// Handler routes embed requests.
func (wk *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /e/{slug}", wk.with(wk.document))
	mux.HandleFunc("GET /e/{slug}/count", wk.with(wk.count))
	mux.HandleFunc("GET /e/{slug}/results", wk.with(wk.results))
	mux.HandleFunc("POST /e/{slug}/hit", wk.with(wk.hit))
	mux.HandleFunc("POST /e/{slug}/handle", wk.with(wk.claimHandle))
	mux.HandleFunc("POST /e/otp/verify", wk.with(wk.verifyOTP))
	mux.HandleFunc("GET /e/index", wk.with(wk.index))
	mux.HandleFunc("GET /e/flags", wk.with(wk.flags))
	mux.HandleFunc("POST /e/purge", wk.with(wk.purge))
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// document serves the rendered poll, filling KV from the origin on a miss.
func (wk *Worker) document(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	slug := r.PathValue("slug")
	doc, ok, err := ns.Lookup("doc:"+slug, 5*time.Minute)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		resp, err := wk.client.Get(wk.originURL() + "/v1/docs/" + slug)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			http.Error(w, "origin error", http.StatusBadGateway)
			return
		}
		doc = string(body)
		// Short-lived on purpose: the origin republishes on every edit.
		_ = ns.Put("doc:"+slug, doc, 30*time.Second)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, doc)
}

// count serves the public vote total.
func (wk *Worker) count(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	s, err := ns.Text("public-count:" + r.PathValue("slug")) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if s == "" {
		s = "0"
	}
	writeJSON(w, http.StatusOK, map[string]string{"total": s})
}

// results serves the public results snapshot.
func (wk *Worker) results(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	rd, err := ns.Raw().GetReader("public-results:"+r.PathValue("slug"), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var snap map[string]any
	if err := json.NewDecoder(rd).Decode(&snap); err != nil {
		http.Error(w, "bad snapshot", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, snap)
}

// hit counts an embed impression.
func (wk *Worker) hit(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	key := "hits:" + r.PathValue("slug")
	cur, ok, err := ns.Lookup(key, 0)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(cur)
	}
	if err := ns.Raw().PutString(key, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// claimHandle reserves a display name for a respondent's comments.
func (wk *Worker) claimHandle(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	handle := strings.ToLower(strings.TrimSpace(r.FormValue("handle")))
	respondent := r.Header.Get("X-Respondent")
	if handle == "" || respondent == "" {
		http.Error(w, "handle and respondent are required", http.StatusBadRequest)
		return
	}
	key := "handle:" + r.PathValue("slug") + ":" + handle
	owner, err := ns.Raw().GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if owner != "<null>" && owner != respondent {
		http.Error(w, "handle taken", http.StatusConflict)
		return
	}
	if err := ns.Raw().PutString(key, respondent, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400}); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// verifyOTP checks the one-time code mailed to a respondent who wants their
// answers sent to them.
func (wk *Worker) verifyOTP(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	email := strings.ToLower(r.FormValue("email"))
	key := "otp:" + email
	code, err := ns.Raw().GetString(key, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if code == "" {
		http.Error(w, "no code pending", http.StatusNotFound)
		return
	}
	if code != r.FormValue("code") {
		http.Error(w, "wrong code", http.StatusUnauthorized)
		return
	}
	if err := ns.Raw().Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// index lists published polls for the partner directory.
func (wk *Worker) index(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	page, err := ns.Page(
		"doc:",
		r.URL.Query().Get("cursor"),
		2000, // EXPECT kvlimits
	)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	slugs := make([]string, len(page.Keys))
	for i, k := range page.Keys {
		slugs[i] = strings.TrimPrefix(k.Name, "doc:")
	}
	next := ""
	if !page.ListComplete {
		next = page.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"slugs": slugs, "cursor": next})
}

// flags serves the edge feature switches.
func (wk *Worker) flags(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	opts := &cloudflare.KVNamespaceGetOptions{CacheTTL: 10} // EXPECT kvttl
	v, err := ns.Raw().GetString("config:edge-flags", opts)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "<null>" {
		v = "{}"
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, v)
}

// purge removes cached documents after a template change, a bounded number
// of pages per request.
func (wk *Worker) purge(w http.ResponseWriter, r *http.Request, ns *kvedge.Namespace) {
	res, err := ns.Page("doc:", "", 1000)
	deleted := 0
	for pages := 0; err == nil && pages < 10; pages++ {
		for _, k := range res.Keys {
			if ns.Delete(k.Name) == nil {
				deleted++
			}
		}
		if res.ListComplete {
			break
		}
		res, err = ns.Raw().List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": deleted})
}
