package kvhotkey

import (
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// Handlers kept in a dispatch table that the webhook handler calls: each
// runs on every request of its type.
type hooks struct {
	ns       *kv.Namespace
	handlers map[string]func(id string) error
	jobs     map[string]func(id string) error
}

func newHooks(ns *kv.Namespace) *hooks { // want newHooks:"kvhotkey"
	h := &hooks{ns: ns}
	h.handlers = map[string]func(id string) error{
		"rates.pushed": func(id string) error {
			return h.ns.PutString("hooks/last-rate-push", id, nil) // want `this handler writes the same KV key on every request`
		},
		"booking.created": func(id string) error {
			return h.ns.PutString("hooks/booking/"+id, "1", nil)
		},
	}
	h.jobs = map[string]func(id string) error{
		// Quiet: a job the nightly run calls.
		"rates.rebuilt": func(id string) error {
			return h.ns.PutString("hooks/last-rebuild", id, nil)
		},
	}
	return h
}

func (h *hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	handle, ok := h.handlers[r.URL.Query().Get("type")]
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := handle(r.URL.Query().Get("id")); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (h *hooks) nightly(kind, id string) error { return h.jobs[kind](id) }

// Strategies kept as interface values in a table that the handler calls:
// each one's method runs on every request of its kind.
type applier interface {
	apply(ns *kv.Namespace, room string) error
}

type inspection struct{}

func (inspection) apply(ns *kv.Namespace, room string) error { // want apply:"kvhotkey"
	return ns.PutString("board/last-inspection", room, nil) // want `this handler writes the same KV key on every request`
}

type cleaning struct{}

func (cleaning) apply(ns *kv.Namespace, room string) error {
	return ns.PutString("board/cleaned/"+room, "1", nil)
}

type board struct {
	ns         *kv.Namespace
	strategies map[string]applier
}

func newBoard(ns *kv.Namespace) *board {
	b := &board{ns: ns}
	b.strategies = map[string]applier{"inspect": inspection{}, "clean": cleaning{}}
	return b
}

func (b *board) update(w http.ResponseWriter, r *http.Request) {
	st, ok := b.strategies[r.FormValue("kind")]
	if !ok {
		http.Error(w, "unknown", http.StatusBadRequest)
		return
	}
	if err := st.apply(b.ns, r.FormValue("room")); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
