// Package webhook receives signed deployment webhooks from source hosts and
// CI systems and hands them to registered handlers.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

const maxBody = 1 << 20

// Delivery is one received webhook.
type Delivery struct {
	ID      string          `json:"id"`
	Source  string          `json:"source"`
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
}

// HandlerFunc processes one delivery.
type HandlerFunc func(ctx context.Context, d Delivery) error

// Receiver is the HTTP endpoint for webhooks.
type Receiver struct {
	kv       store.Store
	secret   []byte
	limiter  Limiter
	handlers map[string]HandlerFunc
	clock    clock.Clock
	log      *slog.Logger
}

// NewReceiver returns a Receiver.
func NewReceiver(kv store.Store, secret string, limiter Limiter, c clock.Clock, log *slog.Logger) *Receiver {
	return &Receiver{
		kv: kv, secret: []byte(secret), limiter: limiter,
		handlers: map[string]HandlerFunc{}, clock: clock.Or(c), log: log,
	}
}

// Handle registers fn for event.
func (r *Receiver) Handle(event string, fn HandlerFunc) { r.handlers[event] = fn }

func (r *Receiver) verify(body []byte, sig string) bool {
	mac := hmac.New(sha256.New, r.secret)
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// ServeHTTP handles POST /hooks/{source}.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	source := req.PathValue("source")
	ok, err := r.limiter.Allow(ctx, source)
	if err != nil {
		r.log.ErrorContext(ctx, "rate limiter", "err", err)
	} else if !ok {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBody))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	if !r.verify(body, req.Header.Get("X-Signature-256")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	d := Delivery{
		ID:      req.Header.Get("X-Delivery-ID"),
		Source:  source,
		Event:   strings.ToLower(req.Header.Get("X-Event")),
		Payload: body,
	}
	if d.ID == "" {
		http.Error(w, "missing delivery id", http.StatusBadRequest)
		return
	}
	fresh, err := r.claim(ctx, d)
	if err != nil {
		http.Error(w, "storage error", http.StatusServiceUnavailable)
		return
	}
	if !fresh {
		w.WriteHeader(http.StatusOK)
		return
	}
	r.keepLast(ctx, d)
	fn, ok := r.handlers[d.Event]
	if !ok {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if err := fn(ctx, d); err != nil {
		r.log.ErrorContext(ctx, "webhook handler", "event", d.Event, "id", d.ID, "err", err)
		http.Error(w, "handler failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// claim records the delivery ID so redeliveries are acknowledged without
// running the handler twice. It reports whether the delivery is new.
func (r *Receiver) claim(ctx context.Context, d Delivery) (bool, error) {
	key := "delivery/" + d.Source + "/" + d.ID
	_, err := r.kv.Get(ctx, key)
	if err == nil {
		return false, nil
	}
	if !store.IsNotFound(err) {
		return false, err
	}
	stamp := []byte(r.clock.Now().UTC().Format(time.RFC3339))
	if err := r.kv.Put(ctx, key, stamp, store.WithTTL(72*time.Hour)); err != nil { // EXPECT kvrace
		return false, err
	}
	return true, nil
}

// keepLast stores the most recent delivery per source for the debug page.
func (r *Receiver) keepLast(ctx context.Context, d Delivery) {
	raw, err := json.Marshal(d)
	if err != nil {
		return
	}
	err = r.kv.PutMany(ctx, []store.Entry{{
		Key:       "last/" + d.Source,
		Value:     raw,
		ExpiresAt: r.clock.Now().Add(30 * time.Second).Unix(), // EXPECT kvttl
	}})
	if err != nil {
		r.log.WarnContext(ctx, "keep last delivery", "source", d.Source, "err", err)
	}
}
