// Package webhooks receives payment-provider events and applies them to
// invoices.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgerline/nightjar/internal/idem"
	"github.com/ledgerline/nightjar/internal/invoices"
	"github.com/ledgerline/nightjar/internal/keys"
	"github.com/ledgerline/nightjar/internal/kvstore"
	"github.com/ledgerline/nightjar/internal/retry"
	"github.com/ledgerline/nightjar/internal/tiercache"
	"github.com/ledgerline/nightjar/internal/uow"
)

var (
	hooksRoot    = keys.Key("webhooks")
	lastReceived = hooksRoot.Child("last-received")
	hitsRoot     = hooksRoot.Child("hits")
	customers    = keys.Key("cust")
	ledgerRoot   = keys.Key("ledger")
	dunningState = keys.Key("dunning").Child("state")
)

// Event is the normalised envelope of a provider event.
type Event struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Type     string `json:"type"`
	Created  int64  `json:"created"`
	Data     struct {
		Tenant      string `json:"tenant"`
		InvoiceID   string `json:"invoice_id"`
		CustomerID  string `json:"customer_id"`
		PaymentID   string `json:"payment_id"`
		AmountCents int64  `json:"amount_cents"`
		Currency    string `json:"currency"`
		Reason      string `json:"reason"`
		Email       string `json:"email"`
		TaxID       string `json:"tax_id"`
	} `json:"data"`
}

// BillingProfile is what the provider tells us about a customer.
type BillingProfile struct {
	Email     string    `json:"email"`
	TaxID     string    `json:"tax_id"`
	Currency  string    `json:"currency"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Handler serves POST /webhooks/{provider}.
type Handler struct {
	kv      *kvstore.Logged
	idem    *idem.Guard
	wb      *tiercache.WriteBehind
	secrets map[string][]byte
	log     *slog.Logger

	hits sync.Map // provider -> *atomic.Int64
}

// NewHandler returns a Handler. secrets holds the signing secret per
// provider.
func NewHandler(kv *kvstore.Logged, wb *tiercache.WriteBehind, secrets map[string][]byte, log *slog.Logger) *Handler {
	return &Handler{
		kv:      kv,
		idem:    idem.New(kv, hooksRoot.Child("seen")),
		wb:      wb,
		secrets: secrets,
		log:     log,
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	provider := r.PathValue("provider")
	secret, ok := h.secrets[provider]
	if !ok {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	if !validSignature(secret, body, r.Header.Get("X-Signature")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var evt Event
	if err := json.Unmarshal(body, &evt); err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	evt.Provider = provider
	ctx := r.Context()

	h.countHit(provider)
	if err := h.kv.Put(ctx, lastReceived.String(), []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		h.log.WarnContext(ctx, "last-received not recorded", "err", err)
	}

	deliveryID := provider + ":" + evt.ID
	switch err := h.idem.Claim(ctx, deliveryID, 72*time.Hour); {
	case errors.Is(err, idem.ErrDuplicate):
		w.WriteHeader(http.StatusOK)
		return
	case err != nil:
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}

	if err := h.apply(ctx, &evt); err != nil {
		h.log.ErrorContext(ctx, "webhook failed", "event", evt.ID, "type", evt.Type, "err", err)
		if rerr := h.idem.Release(context.WithoutCancel(ctx), deliveryID); rerr != nil {
			h.log.ErrorContext(ctx, "idempotency release failed", "event", evt.ID, "err", rerr)
		}
		http.Error(w, "failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) countHit(provider string) {
	v, _ := h.hits.LoadOrStore(provider, new(atomic.Int64))
	n := v.(*atomic.Int64).Add(1)
	h.wb.Put(keys.Today(hitsRoot.With(provider)).String(), []byte(strconv.FormatInt(n, 10))) // EXPECT kvcounter
}

func (h *Handler) apply(ctx context.Context, evt *Event) error {
	u := uow.New(h.kv)
	var err error
	switch evt.Type {
	case "payment.succeeded":
		err = h.paymentSucceeded(ctx, u, evt)
	case "dispute.opened":
		err = h.disputeOpened(ctx, evt)
	case "customer.updated":
		err = h.customerUpdated(ctx, u, evt)
	default:
		h.log.DebugContext(ctx, "ignored event", "type", evt.Type)
		return nil
	}
	if err != nil {
		return err
	}
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return u.Commit(ctx)
	})
}

func (h *Handler) paymentSucceeded(ctx context.Context, u *uow.UnitOfWork, evt *Event) error {
	ref := keys.InvoiceRef{Tenant: evt.Data.Tenant, ID: evt.Data.InvoiceID}
	raw, err := h.kv.Get(ctx, ref.String())
	if err != nil {
		return err
	}
	var inv invoices.Invoice
	if err := json.Unmarshal(raw, &inv); err != nil {
		return err
	}
	paidAt := time.Unix(evt.Created, 0).UTC()
	inv.Payments = append(inv.Payments, invoices.Payment{ProviderID: evt.Data.PaymentID, AmountCent: evt.Data.AmountCents, At: paidAt})
	var paid int64
	for _, p := range inv.Payments {
		paid += p.AmountCent
	}
	if paid >= inv.TotalCents {
		inv.Status = invoices.StatusPaid
		inv.PaidAt = &paidAt
	}
	b, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	u.Put(ref.String(), b) // EXPECT kvrace

	day := keys.DayKey{Base: ledgerRoot.With(inv.Tenant), Day: paidAt, Shard: -1}
	if err := u.Append(day.String(), map[string]any{"invoice": inv.ID, "payment": evt.Data.PaymentID, "amount": evt.Data.AmountCents}); err != nil {
		return err
	}
	if inv.Status == invoices.StatusPaid {
		u.Delete(dunningState.With(inv.ID).String())
	}
	return nil
}

func (h *Handler) disputeOpened(ctx context.Context, evt *Event) error {
	ref := keys.InvoiceRef{Tenant: evt.Data.Tenant, ID: evt.Data.InvoiceID}
	return h.appendNote(ctx, ref, "dispute opened by "+evt.Provider+": "+evt.Data.Reason)
}

// appendNote adds a line to the invoice's free-text notes shown to the
// finance team.
func (h *Handler) appendNote(ctx context.Context, ref keys.InvoiceRef, line string) error {
	key := ref.Child("notes").String()
	old, err := h.kv.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	note := string(old) + time.Now().UTC().Format(time.RFC3339) + " " + line + "\n"
	return h.kv.Put(ctx, key, []byte(note), 0) // EXPECT kvrace
}

func (h *Handler) customerUpdated(ctx context.Context, u *uow.UnitOfWork, evt *Event) error {
	key := customers.With(evt.Data.CustomerID).Child("billing-profile").String()
	var prof BillingProfile
	raw, err := h.kv.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		prof = BillingProfile{Currency: evt.Data.Currency}
	} else if err := json.Unmarshal(raw, &prof); err != nil {
		return err
	}
	if evt.Data.Email != "" {
		prof.Email = evt.Data.Email
	}
	if evt.Data.TaxID != "" {
		prof.TaxID = evt.Data.TaxID
	}
	prof.UpdatedAt = time.Now().UTC()
	return u.PutJSON(key, prof) // EXPECT kvrace
}

func validSignature(secret, body []byte, sig string) bool {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	want := mac.Sum(nil)
	got, err := hex.DecodeString(sig)
	return err == nil && hmac.Equal(want, got)
}
