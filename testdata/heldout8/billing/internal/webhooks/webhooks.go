// Package webhooks receives payment-provider webhooks, verifies them and
// dispatches each event type to its handler exactly once.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"example.com/billing/internal/config"
	"example.com/billing/internal/keys"
	"example.com/billing/internal/storage"
)

// Event is the provider's envelope.
type Event struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Created int64           `json:"created"`
	Data    json.RawMessage `json:"data"`
}

// HandlerFunc processes one event type.
type HandlerFunc func(ctx context.Context, ev Event) error

// Receiver is the http.Handler for /webhooks/{provider}.
type Receiver struct {
	store    storage.Store
	cfg      config.Webhooks
	handlers map[string]HandlerFunc
	secret   []byte
	log      *slog.Logger
	now      func() time.Time
}

// NewReceiver builds a Receiver. Register handlers with On before serving.
func NewReceiver(store storage.Store, cfg config.Webhooks, log *slog.Logger) *Receiver {
	return &Receiver{store: store, cfg: cfg, handlers: map[string]HandlerFunc{}, log: log, now: time.Now}
}

// On registers fn for events of type typ.
func (r *Receiver) On(typ string, fn HandlerFunc) { r.handlers[typ] = fn }

func secretKey(provider string) string { return keys.New(keys.Webhooks, "secret", provider).String() }

// EnsureSecret loads the endpoint signing secret, provisioning one the first
// time the service starts for this provider.
func (r *Receiver) EnsureSecret(ctx context.Context) error {
	key := secretKey(r.cfg.Provider)
	raw, err := r.store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return err
		}
		raw = []byte(hex.EncodeToString(buf))
		r.log.Info("provisioned webhook secret", "provider", r.cfg.Provider)
		if err := r.store.Put(ctx, key, raw); err != nil {
			return err
		}
	}
	r.secret = raw
	return nil
}

// seen records the event id and reports whether it was already processed.
func (r *Receiver) seen(ctx context.Context, eventID string) (bool, error) {
	key := keys.New(keys.Webhooks, r.cfg.Provider, eventID).String()
	_, err := r.store.Get(ctx, key)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	stamp := []byte(r.now().UTC().Format(time.RFC3339))
	return false, r.store.Put(ctx, key, stamp, storage.WithTTL(r.cfg.DedupWindow)) // EXPECT kvrace
}

func (r *Receiver) verify(body []byte, sig string) bool {
	mac := hmac.New(sha256.New, r.secret)
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !r.verify(body, req.Header.Get("Webhook-Signature")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	// Surfaced on the ops dashboard as "last webhook received".
	if err := r.store.Put(ctx, keys.WebhookLastReceived, []byte(r.now().UTC().Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
		r.log.Warn("webhook: heartbeat write failed", "err", err)
	}
	dup, err := r.seen(ctx, ev.ID)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if dup {
		w.WriteHeader(http.StatusOK)
		return
	}
	fn, ok := r.handlers[ev.Type]
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := fn(ctx, ev); err != nil {
		r.log.Error("webhook handler failed", "type", ev.Type, "id", ev.ID, "err", err)
		http.Error(w, "handler failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}
