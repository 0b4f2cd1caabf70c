package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A key space whose prefix comes from configuration: its keys are not
// known at compile time, but a key built from the prefix alone is the
// same on every request.
type keySpace struct{ prefix string }

func (k keySpace) Prefix() string              { return k.prefix }
func (k keySpace) LatestSignup() string        { return k.prefix + "signup:latest" }
func (k keySpace) Subscriber(id string) string { return k.prefix + "sub:" + id }

type tracker struct {
	ns *kv.Namespace
	ks keySpace
}

func (t *tracker) open(w http.ResponseWriter, r *http.Request) { // want open:"kvhotkey"
	_ = t.ns.PutString(t.ks.Prefix()+"stats:last-open", time.Now().UTC().Format(time.RFC3339), nil) // want `this handler writes the same KV key on every request`
}

func (t *tracker) confirm(w http.ResponseWriter, r *http.Request) { // want confirm:"kvhotkey"
	_ = t.ns.PutString(t.ks.LatestSignup(), r.URL.Query().Get("list"), nil) // want `this handler writes the same KV key on every request`
}

// Quiet: a key per subscriber, and a key of the request's own.
func (t *tracker) subscribe(w http.ResponseWriter, r *http.Request) {
	_ = t.ns.PutString(t.ks.Subscriber(r.URL.Query().Get("id")), "1", nil)
	_ = t.ns.PutString(t.ks.Prefix()+"last:"+r.URL.Path, "1", nil)
}

// Quiet: the prefix names a setting, not the latest request.
func (t *tracker) settings(w http.ResponseWriter, r *http.Request) {
	_ = t.ns.PutString(t.ks.Prefix()+"config:theme", r.URL.Query().Get("theme"), nil)
}

// Quiet: a helper that writes its marker once per isolate, whichever
// handler calls it.
type warmer struct {
	ns   *kv.Namespace
	ks   keySpace
	warm bool
}

func (w *warmer) touch() {
	if !w.warm {
		_ = w.ns.PutString(w.ks.Prefix()+"status:warm", "1", nil)
		w.warm = true
	}
}

func (w *warmer) serve(rw http.ResponseWriter, r *http.Request) { w.touch() }

// The handler is a closure that a method of the receiver returns, and
// the write goes through a helper that asks for an interface literal.
func (t *tracker) handleStatus() http.HandlerFunc { // want handleStatus:"kvhotkey"
	return func(w http.ResponseWriter, r *http.Request) {
		_ = t.ns.PutString(t.ks.Prefix()+"stats:last-status", r.URL.Path, nil) // want `this handler writes the same KV key on every request`
	}
}

func markSeen(ns interface {
	PutString(key, value string, opts *kv.PutOptions) error
}, key string) error {
	return ns.PutString(key, time.Now().UTC().Format(time.RFC3339), nil)
}

func (t *tracker) handlePing() http.HandlerFunc { // want handlePing:"kvhotkey"
	return func(w http.ResponseWriter, r *http.Request) {
		_ = markSeen(t.ns, t.ks.Prefix()+"stats:last-ping") // want `this handler writes the same KV key on every request`
	}
}

// Quiet: a key the request names, from the same kind of closure.
func (t *tracker) handleVisit() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = markSeen(t.ns, t.ks.Prefix()+"last-visit:"+r.URL.Query().Get("id"))
	}
}
