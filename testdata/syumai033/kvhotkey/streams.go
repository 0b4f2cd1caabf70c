package kvhotkey

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Server-sent events and long polls: each open connection runs its own
// paced loop, so every viewer of one class writes the class's key at
// that pace.

type liveHub struct{ ns *kv.Namespace }

func (h *liveHub) stream(w http.ResponseWriter, r *http.Request) { // want stream:"kvhotkey"
	class := r.PathValue("class")
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		fmt.Fprintf(w, "data: {}\n\n")
		w.(http.Flusher).Flush()
		_ = h.ns.PutString("live:viewers:"+class, time.Now().UTC().Format(time.RFC3339), nil) // want `this loop writes the same KV key on every iteration`
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
}

// A key drawn for the connection is its own: one writer at the loop's pace.
func (h *liveHub) streamOwn(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	conn := hex.EncodeToString(b)
	for {
		fmt.Fprintf(w, "data: {}\n\n")
		_ = h.ns.PutString("conn:"+conn, "open", nil)
		select {
		case <-r.Context().Done():
			return
		case <-time.After(5 * time.Second):
		}
	}
}

// A paced loop of a background job, one writer.
func (h *liveHub) publishLoop(stop <-chan struct{}) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		_ = h.ns.PutString("live:published", time.Now().UTC().Format(time.RFC3339), nil)
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}
