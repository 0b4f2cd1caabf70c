// Package webhooks receives the payment provider's webhooks and delivers
// the platform's own webhooks to customer endpoints.
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
	"strconv"
	"time"

	"example.com/otter/internal/kvport"
)

// ProviderEvent is the envelope of a payment-provider webhook.
type ProviderEvent struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Created int64           `json:"created"`
	Data    json.RawMessage `json:"data"`
}

// EventHandler processes one provider event type.
type EventHandler func(ctx context.Context, data json.RawMessage) error

// Inbound is the HTTP endpoint the payment provider calls.
type Inbound struct {
	seen     kvport.Store
	status   kvport.Store
	secret   []byte
	handlers map[string]EventHandler
	seenFor  time.Duration
	log      *slog.Logger
}

func NewInbound(seen, status kvport.Store, secret []byte, log *slog.Logger) *Inbound {
	return &Inbound{seen: seen, status: status, secret: secret, handlers: map[string]EventHandler{},
		seenFor: 72 * time.Hour, log: log}
}

// Handle registers h for events of type typ.
func (in *Inbound) Handle(typ string, h EventHandler) { in.handlers[typ] = h }

func (in *Inbound) verify(body []byte, sig string) bool {
	mac := hmac.New(sha256.New, in.secret)
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

func (in *Inbound) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(io.LimitReader(r.Body, 512<<10))
	if err != nil || !in.verify(body, r.Header.Get("Psp-Signature")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var evt ProviderEvent
	if err := json.Unmarshal(body, &evt); err != nil || evt.ID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if err := in.status.Put(ctx, "psp:last-event", strconv.AppendInt(nil, time.Now().Unix(), 10), nil); err != nil { // EXPECT kvhotkey
		in.log.Warn("record receiver status", "err", err)
	}
	if _, err := in.seen.Get(ctx, evt.ID); err == nil {
		w.WriteHeader(http.StatusOK)
		return
	} else if !kvport.IsNotFound(err) {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	h, ok := in.handlers[evt.Type]
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := h(ctx, evt.Data); err != nil {
		in.log.Error("provider event", "id", evt.ID, "type", evt.Type, "err", err)
		http.Error(w, "failed", http.StatusInternalServerError)
		return
	}
	if err := in.seen.Put(ctx, evt.ID, []byte(evt.Type), &kvport.PutOpts{TTL: in.seenFor}); err != nil { // DEBATABLE kvrace
		in.log.Warn("mark event seen", "id", evt.ID, "err", err)
	}
	w.WriteHeader(http.StatusOK)
}
