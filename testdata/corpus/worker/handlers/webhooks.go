package handlers

import (
	"io"
	"net/http"

	"github.com/syumai/workers/cloudflare"
)

// StripeWebhook ignores events it has already processed (best effort).
func StripeWebhook(w http.ResponseWriter, r *http.Request) {
	eventID := r.Header.Get("X-Event-Id")
	seen, err := cloudflare.NewKVNamespace("WEBHOOKS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	dedupeKey := "webhook:stripe:" + eventID
	if v, _ := seen.GetString(dedupeKey, nil); v != "<null>" {
		w.WriteHeader(http.StatusOK)
		return
	}
	payload, _ := io.ReadAll(r.Body)
	if err := process(payload); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = seen.PutString(dedupeKey, "done", &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3 * 24 * 3600})
	w.WriteHeader(http.StatusOK)
}

// GithubWebhook records the delivery for a short replay window.
func GithubWebhook(w http.ResponseWriter, r *http.Request) {
	delivery := r.Header.Get("X-GitHub-Delivery")
	seen, _ := cloudflare.NewKVNamespace("WEBHOOKS")
	opts := &cloudflare.KVNamespacePutOptions{}
	opts.ExpirationTTL = 10 // EXPECT kvttl
	_ = seen.PutString("webhook:github:"+delivery, "1", opts)
	w.WriteHeader(http.StatusAccepted)
}

func process(payload []byte) error { return nil }
