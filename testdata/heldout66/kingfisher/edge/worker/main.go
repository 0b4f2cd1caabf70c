//go:build js && wasm

// Command worker is Kingfisher's edge Worker. It receives order events from
// merchants' storefronts and hands them to the ORDER_EVENTS queue, which the
// backend drains into the order router, and it serves the customer portal
// from the projections the backend keeps in KV.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	kvBinding    = "KINGFISHER_KV"
	queueBinding = "ORDER_EVENTS"
)

// null is how a missing key comes back from GetString.
const null = "<null>"

func namespace() (*kv.Namespace, error) { return kv.NewNamespace(kvBinding) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// withKV opens the namespace for a handler.
func withKV(h func(http.ResponseWriter, *http.Request, *kv.Namespace)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := namespace()
		if err != nil {
			fail(w, http.StatusInternalServerError, "kv binding missing")
			return
		}
		h(w, r, ns)
	}
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/events", withKV(handleEvents))
	mux.HandleFunc("POST /v1/hooks", withKV(handleRegisterHook))
	mux.HandleFunc("GET /o/{token}", withKV(handleMagicLink))
	mux.HandleFunc("GET /portal/orders", withKV(handlePortalOrders))
	mux.HandleFunc("GET /portal/devices", withKV(handleDevices))
	mux.HandleFunc("GET /integrations/slack/callback", withKV(handleSlackCallback))
	mux.HandleFunc("GET /admin/keys", withKV(handleAdminKeys))
	mux.HandleFunc("POST /admin/sweep-hooks", withKV(handleSweepHooks))

	cron.ScheduleTaskNonBlock(scheduled)
	workers.ServeNonBlock(mux)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}

// scheduled runs every five minutes.
func scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := namespace()
	if err != nil {
		return err
	}
	beat, _ := json.Marshal(map[string]any{"cron": ev.Cron, "at": ev.ScheduledTime, "version": cloudflare.Getenv("WORKER_VERSION")})
	if err := ns.PutString("edge:heartbeat", string(beat), &kv.PutOptions{ExpirationTTL: 900}); err != nil {
		return err
	}
	return pruneReplayMarkers(ns, time.Now())
}
