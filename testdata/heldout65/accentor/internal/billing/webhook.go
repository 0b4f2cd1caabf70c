// Package billing handles Stripe for premium guilds: webhook intake,
// entitlements cached in KV for the bot and the edge Worker, checkout and
// customer-portal sessions, and metered usage.
package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/accentor/accentor/internal/kvstore"
)

// Service is the billing HTTP surface.
type Service struct {
	ns            *kvstore.Namespace
	webhookSecret string
	log           *slog.Logger
	handlers      map[stripe.EventType]func(context.Context, stripe.Event) error
	publicURL     string
}

// NewService wires the event table.
func NewService(ns *kvstore.Namespace, webhookSecret, publicURL string, log *slog.Logger) *Service {
	s := &Service{ns: ns, webhookSecret: webhookSecret, publicURL: publicURL, log: log}
	s.handlers = map[stripe.EventType]func(context.Context, stripe.Event) error{
		stripe.EventTypeCheckoutSessionCompleted:    s.onCheckoutCompleted,
		stripe.EventTypeCustomerSubscriptionUpdated: s.onSubscriptionChanged,
		stripe.EventTypeCustomerSubscriptionDeleted: s.onSubscriptionChanged,
		stripe.EventTypeInvoicePaid:                 s.onInvoicePaid,
	}
	return s
}

// Routes mounts the billing endpoints.
func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /stripe/webhook", s.handleWebhook)
	mux.HandleFunc("POST /billing/checkout", s.handleCheckout)
	mux.HandleFunc("POST /billing/portal", s.handlePortal)
	mux.HandleFunc("POST /billing/cart", s.handleCart)
	mux.HandleFunc("POST /billing/usage", s.handleUsage)
	mux.HandleFunc("GET /billing/entitlements/{customer}", s.handleEntitlements)
}

const maxWebhookBody = 1 << 16

func (s *Service) handleWebhook(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody))
	if err != nil {
		http.Error(w, "read", http.StatusServiceUnavailable)
		return
	}
	evt, err := webhook.ConstructEvent(payload, r.Header.Get("Stripe-Signature"), s.webhookSecret)
	if err != nil {
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	ctx := r.Context()

	seenKey := "stripe:event:" + evt.ID
	if _, err := s.ns.Get(ctx, seenKey); err == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	h, ok := s.handlers[evt.Type]
	if ok {
		if err := h(ctx, evt); err != nil {
			s.log.Error("stripe event", "id", evt.ID, "type", evt.Type, "err", err)
			http.Error(w, "retry", http.StatusInternalServerError)
			return
		}
	}
	// Stripe retries for up to three days; remember the event that long.
	retention := time.Until(time.Unix(evt.Created, 0).Add(72 * time.Hour))      // EXPECT kvttl
	if err := s.ns.Put(ctx, seenKey, []byte(evt.Type), retention); err != nil { // EXPECT kvrace
		s.log.Warn("remember event", "id", evt.ID, "err", err)
	}
	status := fmt.Sprintf(`{"id":%q,"type":%q,"at":%d}`, evt.ID, evt.Type, time.Now().Unix())
	if err := s.ns.Put(ctx, "stripe:last-event", []byte(status), 0); err != nil { // EXPECT kvhotkey
		s.log.Warn("last event", "err", err)
	}
	w.WriteHeader(http.StatusOK)
}

// Entitlements is what a guild may use, ent:<customer>.
type Entitlements struct {
	CustomerID string    `json:"customer"`
	GuildID    string    `json:"guild"`
	Plan       string    `json:"plan"`
	Features   []string  `json:"features"`
	Status     string    `json:"status"`
	PeriodEnd  time.Time `json:"period_end"`
}

func entKey(customerID string) string { return "ent:" + customerID }

type checkoutObject struct {
	ID                string            `json:"id"`
	Customer          string            `json:"customer"`
	ClientReferenceID string            `json:"client_reference_id"`
	Metadata          map[string]string `json:"metadata"`
}

// onCheckoutCompleted grants the add-on bought in a one-off checkout on top
// of whatever the subscription already grants.
func (s *Service) onCheckoutCompleted(ctx context.Context, evt stripe.Event) error {
	var cs checkoutObject
	if err := json.Unmarshal(evt.Data.Raw, &cs); err != nil {
		return err
	}
	addon := cs.Metadata["addon"]
	if addon == "" {
		return nil
	}
	var ent Entitlements
	if err := s.ns.GetJSON(ctx, entKey(cs.Customer), &ent); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ent.CustomerID = cs.Customer
	ent.GuildID = cs.ClientReferenceID
	ent.Features = append(ent.Features, addon)
	return s.ns.PutJSON(ctx, entKey(cs.Customer), ent, 0) // EXPECT kvrace
}

// onSubscriptionChanged replaces the cached entitlements with the state in
// the event; the subscription object is the source of truth.
func (s *Service) onSubscriptionChanged(ctx context.Context, evt stripe.Event) error {
	var sub stripe.Subscription
	if err := json.Unmarshal(evt.Data.Raw, &sub); err != nil {
		return err
	}
	if sub.Customer == nil {
		return errors.New("subscription without customer")
	}
	ent := Entitlements{
		CustomerID: sub.Customer.ID,
		GuildID:    sub.Metadata["guild_id"],
		Status:     string(sub.Status),
	}
	var periodEnd int64
	if sub.Items != nil {
		for _, it := range sub.Items.Data {
			if it.Price != nil && it.Price.LookupKey != "" {
				ent.Plan = it.Price.LookupKey
				ent.Features = append(ent.Features, planFeatures[it.Price.LookupKey]...)
			}
			periodEnd = max(periodEnd, it.CurrentPeriodEnd)
		}
	}
	ent.PeriodEnd = time.Unix(periodEnd, 0).UTC()
	if evt.Type == stripe.EventTypeCustomerSubscriptionDeleted {
		ent.Features = nil
	}
	ttl := max(time.Until(ent.PeriodEnd)+24*time.Hour, time.Hour)
	return s.ns.PutJSON(ctx, entKey(ent.CustomerID), ent, ttl)
}

type invoiceObject struct {
	Customer string `json:"customer"`
	Lines    struct {
		Data []struct {
			Price struct {
				LookupKey string `json:"lookup_key"`
			} `json:"price"`
			Period struct {
				End int64 `json:"end"`
			} `json:"period"`
		} `json:"data"`
	} `json:"lines"`
}

// onInvoicePaid records, per paid line, the plan and the period it covers
// so the dashboard shows the renewal as soon as Stripe reports it.
func (s *Service) onInvoicePaid(ctx context.Context, evt stripe.Event) error {
	var inv invoiceObject
	if err := json.Unmarshal(evt.Data.Raw, &inv); err != nil {
		return err
	}
	for _, line := range inv.Lines.Data {
		renewal := Entitlements{
			CustomerID: inv.Customer,
			Plan:       line.Price.LookupKey,
			Features:   planFeatures[line.Price.LookupKey],
			Status:     "active",
			PeriodEnd:  time.Unix(line.Period.End, 0).UTC(),
		}
		if err := s.ns.PutJSON(ctx, "renewal:"+inv.Customer, renewal, 35*24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// handleEntitlements serves ent:<customer> to the dashboard.
func (s *Service) handleEntitlements(w http.ResponseWriter, r *http.Request) {
	ent, err := s.lookupEntitlements(r.Context(), r.PathValue("customer"))
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ent)
}

// lookupEntitlements reads ent:<customer> straight through the SDK so the
// response's expiration header is available for logging.
func (s *Service) lookupEntitlements(ctx context.Context, customerID string) (Entitlements, error) {
	var ent Entitlements
	res, err := s.ns.Client().KV.Namespaces.Values.Get(ctx, s.ns.ID(), entKey(customerID), valueGetParams(s.ns.Account()))
	if err != nil {
		return ent, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return ent, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return Entitlements{CustomerID: customerID, Status: "none"}, nil
	}
	if exp := res.Header.Get("Expiration"); exp != "" {
		if at, err := strconv.ParseInt(exp, 10, 64); err == nil {
			s.log.Debug("entitlements expire", "customer", customerID, "at", time.Unix(at, 0))
		}
	}
	return ent, json.Unmarshal(body, &ent)
}

var planFeatures = map[string][]string{
	"community_plus": {"custom_leaderboard", "reaction_roles_unlimited"},
	"community_pro":  {"custom_leaderboard", "reaction_roles_unlimited", "slack_bridge", "analytics"},
}

func getenvDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}
