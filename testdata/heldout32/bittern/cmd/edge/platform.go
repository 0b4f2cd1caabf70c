//go:build js && wasm

package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// webhookRetention is how long the last CDN delivery report is kept for the
// status page.
const webhookRetention = 72 * time.Hour

// cdnWebhook receives delivery reports from the audio CDN. The status page
// shows the most recent one.
func cdnWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace("BITTERN_KV")
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	opts := &kv.PutOptions{ExpirationTTL: int(webhookRetention)}                         // EXPECT kvttl
	if err := ns.PutString("status:cdn-last-delivery", string(body), opts); err != nil { // EXPECT kvhotkey
		slog.ErrorContext(r.Context(), "cdn webhook", "err", err)
		http.Error(w, "not stored", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// applyBanner adds the operator's notices to every response.
func applyBanner(ctx context.Context, w http.ResponseWriter) {
	ns, err := kv.NewNamespace("BITTERN_KV")
	if err != nil {
		return
	}
	if mode, err := ns.GetString("status:maintenance", &kv.GetOptions{CacheTTL: 300}); err == nil && mode != "<null>" {
		w.Header().Set("X-Bittern-Maintenance", mode)
	}
	banner, err := ns.GetString("status:banner", &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		slog.WarnContext(ctx, "banner", "err", err)
		return
	}
	if banner != "" {
		w.Header().Set("X-Bittern-Notice", banner)
	}
}
