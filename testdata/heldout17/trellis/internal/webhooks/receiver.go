// Package webhooks receives signed supplier notifications carrying idempotency keys.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
)

// Event is a supplier notification.
type Event struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"` // stock.updated, price.updated, order.allocated
	SKU        string    `json:"sku"`
	Qty        int       `json:"qty,omitempty"`
	PriceCents int64     `json:"price_cents,omitempty"`
	At         time.Time `json:"at"`
}

// DispatchFunc hands a verified event to the rest of the system.
type DispatchFunc func(ctx context.Context, tenant keys.TenantID, supplier string, ev Event) error

// Receiver is the HTTP endpoint suppliers post to.
type Receiver struct {
	st        kvstore.Store
	log       *DeliveryLog
	next      DispatchFunc
	dedupeTTL time.Duration
	clock     clock.Clock
	logger    *slog.Logger
}

func NewReceiver(st kvstore.Store, log *DeliveryLog, next DispatchFunc, dedupeTTL time.Duration, c clock.Clock, logger *slog.Logger) *Receiver {
	return &Receiver{st: st, log: log, next: next, dedupeTTL: dedupeTTL, clock: c, logger: logger}
}

func validSignature(secret, body []byte, sig string) bool {
	want, err := hex.DecodeString(sig)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return err == nil && hmac.Equal(mac.Sum(nil), want)
}

// ServeHTTP handles POST /webhooks/{supplier}.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant, _ := keys.TenantFrom(ctx)
	supplier := r.PathValue("supplier")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	secret, _ := rc.st.Get(ctx, keys.Expand(keys.PatternSupplier, tenant, "supplier", supplier)+":secret") // EXPECT kvnull
	if !validSignature(secret, body, r.Header.Get("X-Trellis-Signature")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if over, err := rc.log.Throttle(ctx, tenant, supplier, rc.clock.Now()); err == nil && over {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	idem := r.Header.Get("Idempotency-Key")
	if idem == "" {
		idem = ev.ID
	}
	dupKey := tenant.Prefix() + "idem:" + supplier + ":" + idem
	if _, err := rc.st.Get(ctx, dupKey); err == nil {
		_, _ = io.WriteString(w, `{"status":"duplicate"}`)
		return
	} else if !kvstore.IsNotFound(err) {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	rec, _ := json.Marshal(map[string]any{"event": ev.ID, "received": rc.clock.Now()})
	if err := rc.st.Put(ctx, dupKey, rec, kvstore.PutOptions{TTL: rc.dedupeTTL}); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	status := http.StatusAccepted
	if err := rc.next(ctx, tenant, supplier, ev); err != nil {
		rc.logger.ErrorContext(ctx, "dispatch failed", "event", ev.ID, "err", err)
		status = http.StatusInternalServerError
	}
	if err := rc.log.Record(ctx, tenant, supplier, ev, status); err != nil {
		rc.logger.WarnContext(ctx, "delivery log", "err", err)
	}
	w.WriteHeader(status)
}
