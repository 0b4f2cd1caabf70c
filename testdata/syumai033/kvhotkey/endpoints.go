package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// call is what an endpoint is given: the request and who made it.
type call struct {
	r    *http.Request
	user string
}

type endpoint func(call) (int, error)

func (e endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, _ := e(call{r: r})
	w.WriteHeader(status)
}

type api struct{ ns *kv.Namespace }

// An endpoint given the request inside a struct of its own runs on every
// request, as a ServeHTTP method does.
func (a *api) earn(c call) (int, error) { // want earn:"kvhotkey"
	_ = a.ns.PutString("meta:last-activity", time.Now().UTC().Format(time.RFC3339), nil) // want `this handler writes the same KV key on every request`
	return http.StatusOK, nil
}

// A helper given the request itself, too.
func (a *api) touch(r *http.Request) { // want touch:"kvhotkey"
	_ = a.ns.PutString("meta:last-seen", r.URL.Path, nil) // want `this handler writes the same KV key on every request`
}

// A version bumped by every write, so that caches refetch: every
// request that creates an item writes the one key.
func (a *api) createItem(w http.ResponseWriter, r *http.Request) { // want createItem:"kvhotkey"
	id := r.FormValue("id")
	if err := a.ns.PutString("item:"+id, r.FormValue("body"), nil); err == nil {
		_ = a.ns.PutString("catalog:version", time.Now().UTC().Format(time.RFC3339Nano), nil) // want `this handler writes the same KV key on every request`
	}
	w.WriteHeader(http.StatusCreated)
}

// Quiet: a setting that a request changes when someone acts.
func (a *api) setBanner(w http.ResponseWriter, r *http.Request) {
	_ = a.ns.PutString("site:banner", r.FormValue("text"), nil)
}

// options holds no request: a job's settings.
type options struct {
	every time.Duration
}

// Quiet: a function given settings, not a request.
func (a *api) sweep(o options) {
	_ = a.ns.PutString("meta:last-sweep", o.every.String(), nil)
}

func (a *api) routes(mux *http.ServeMux) {
	mux.Handle("POST /earn", endpoint(a.earn))
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) { a.touch(r) })
}

type prefix string

func (p prefix) key(parts ...string) string {
	k := string(p)
	for _, part := range parts {
		k += ":" + part
	}
	return k
}

const cardIndex prefix = "cards"

// The index key is built by a variadic helper from the shop alone: the
// same key in every iteration.
func issueBatch(ns *kv.Namespace, shop string, codes []string) { // want issueBatch:"kvhotkey"
	for _, c := range codes {
		_ = ns.PutString(cardIndex.key(shop), c, nil) // want `this loop writes the same KV key on every iteration`
	}
}

// Quiet: the helper is given each code.
func issueEach(ns *kv.Namespace, shop string, codes []string) {
	for _, c := range codes {
		_ = ns.PutString(cardIndex.key(shop, c), "1", nil)
	}
}

// publish marks the current catalog: its write of one key is reported
// here, because a public route runs it on every request.
func (a *api) publish(version string) error {
	return a.ns.PutString("catalog:current", version, nil) // want `this write, called from a handler, writes the same KV key on every request`
}

// Quiet: registered under an admin route.
func (a *api) mountCatalog(mux *http.ServeMux) {
	mux.Handle("POST /admin/catalog/publish", endpoint(func(c call) (int, error) {
		return http.StatusOK, a.publish(c.r.FormValue("version"))
	}))
}

// The same on a public route runs on every request.
func (a *api) publicRoutes(mux *http.ServeMux) { // want publicRoutes:"kvhotkey"
	mux.Handle("POST /catalog/publish", endpoint(func(c call) (int, error) {
		return http.StatusOK, a.publish(c.r.FormValue("version"))
	}))
}

// A webhook deduplicated by its event's key writes the stamp after every
// new event: a miss of a key each request names is no cache fill.
func (a *api) receive(w http.ResponseWriter, r *http.Request) { // want receive:"kvhotkey"
	id := r.Header.Get("X-Event-ID")
	if seen, err := a.ns.GetString("event:"+id, nil); err == nil && seen != "<null>" {
		w.WriteHeader(http.StatusOK)
		return
	}
	_ = a.ns.PutString("event:"+id, "1", &kv.PutOptions{ExpirationTTL: 86400})
	_ = a.ns.PutString("webhook:last-received", time.Now().UTC().Format(time.RFC3339), nil) // want `this handler writes the same KV key on every request`
}

// Quiet: a fixed report refilled when it expires, stamped then.
func (a *api) report(w http.ResponseWriter, r *http.Request) {
	if v, err := a.ns.GetString("report:daily", nil); err == nil && v != "<null>" {
		_, _ = w.Write([]byte(v))
		return
	}
	_ = a.ns.PutString("report:daily", "fresh", &kv.PutOptions{ExpirationTTL: 3600})
	_ = a.ns.PutString("report:last-refreshed", time.Now().UTC().Format(time.RFC3339), nil)
}
