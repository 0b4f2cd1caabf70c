// Package tail receives Tail Worker batches from halyard's edge Workers and
// keeps recent exceptions in KV for the on-call dashboard.
package tail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Exception is one uncaught exception from a Worker invocation.
type Exception struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	At      int64  `json:"timestamp"`
}

// Event is one Tail Worker trace item.
type Event struct {
	ScriptName string      `json:"scriptName"`
	Outcome    string      `json:"outcome"`
	EventTime  int64       `json:"eventTimestamp"`
	RequestID  string      `json:"requestId"`
	Exceptions []Exception `json:"exceptions"`
}

// Handler is an http.Handler for tail batches.
type Handler struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string

	mu     sync.Mutex
	counts map[string]int
}

func (h *Handler) put(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(h.AccountID),
		Value:     cloudflare.F(string(v)),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := h.API.KV.Namespaces.Values.Update(ctx, h.NamespaceID, key, p)
	return err
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var batch []Event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := h.ingest(r.Context(), batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) ingest(ctx context.Context, batch []Event) error {
	perScript := map[string]int{}
	for _, ev := range batch {
		if len(ev.Exceptions) == 0 {
			continue
		}
		b, _ := json.Marshal(ev)
		if err := h.put(ctx, "tail:evt:"+ev.RequestID, b, 7*24*time.Hour); err != nil {
			return err
		}
		_, err := h.API.KV.Namespaces.Values.Update(ctx, h.NamespaceID, "tail:last-exception", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(h.AccountID),
			Value:     cloudflare.F(string(b)),
		})
		if err != nil {
			return err
		}
		perScript[ev.ScriptName] += len(ev.Exceptions)
	}
	h.mu.Lock()
	if h.counts == nil {
		h.counts = map[string]int{}
	}
	totals := make(map[string]int, len(perScript))
	for script, n := range perScript {
		h.counts[script] += n
		totals[script] = h.counts[script]
	}
	h.mu.Unlock()
	for script, total := range totals {
		key := fmt.Sprintf("tail:exception-count:%s", script)
		if err := h.put(ctx, key, []byte(strconv.Itoa(total)), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}
