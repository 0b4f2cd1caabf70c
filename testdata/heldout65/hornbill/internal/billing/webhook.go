// Package billing handles Stripe webhooks and keeps the entitlements,
// subscription and usage projections that the edge and the bots read from KV.
package billing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// eventHandler handles one Stripe event type.
type eventHandler func(ctx context.Context, ev stripe.Event) error

// Service owns the billing projections in KV.
type Service struct {
	kv       *kvstore.Store
	stripe   *stripe.Client
	secret   string
	log      *slog.Logger
	handlers map[stripe.EventType]eventHandler
}

// NewService builds the service and its table of webhook handlers.
func NewService(store *kvstore.Store, sc *stripe.Client, webhookSecret string, log *slog.Logger) *Service {
	s := &Service{kv: store, stripe: sc, secret: webhookSecret, log: log}
	s.handlers = map[stripe.EventType]eventHandler{
		stripe.EventTypeCustomerSubscriptionCreated: s.onSubscriptionChanged,
		stripe.EventTypeCustomerSubscriptionUpdated: s.onSubscriptionChanged,
		stripe.EventTypeCustomerSubscriptionDeleted: s.onSubscriptionDeleted,
		stripe.EventTypeCheckoutSessionCompleted:    s.onCheckoutCompleted,
		stripe.EventTypeInvoicePaymentFailed:        s.onInvoicePaymentFailed,
		stripe.EventTypeInvoicePaid:                 s.onInvoicePaid,
	}
	return s
}

const (
	maxWebhookBody = 1 << 16
	// seenEventTTL covers Stripe's retry window of three days.
	seenEventTTL = 72 * time.Hour
)

// ServeHTTP receives Stripe webhook deliveries.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	ev, err := webhook.ConstructEvent(payload, r.Header.Get("Stripe-Signature"), s.secret)
	if err != nil {
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	_ = s.kv.Put(ctx, "webhook:stripe:last_received_at", []byte(strconv.FormatInt(time.Now().Unix(), 10)), 0) // EXPECT kvhotkey

	seenKey := "stripe:evt:" + ev.ID
	if _, err := s.kv.Get(ctx, seenKey); err == nil {
		w.WriteHeader(http.StatusOK)
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}

	h, ok := s.handlers[ev.Type]
	if !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := h(ctx, ev); err != nil {
		s.log.Error("stripe webhook", "type", ev.Type, "id", ev.ID, "err", err)
		http.Error(w, "handler failed", http.StatusInternalServerError)
		return
	}
	if err := s.kv.Put(ctx, seenKey, []byte(ev.Type), seenEventTTL); err != nil { // DEBATABLE kvrace
		s.log.Warn("mark event seen", "id", ev.ID, "err", err)
	}
	w.WriteHeader(http.StatusOK)
}

func eventCustomer(ev stripe.Event) string {
	if ev.Data == nil {
		return ""
	}
	switch c := ev.Data.Object["customer"].(type) {
	case string:
		return c
	case map[string]any:
		id, _ := c["id"].(string)
		return id
	}
	return ""
}

func entitlementKey(customerID string) string { return "ent:" + customerID }

func errf(format string, args ...any) error { return fmt.Errorf("billing: "+format, args...) }
