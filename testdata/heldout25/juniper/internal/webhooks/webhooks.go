// Package webhooks receives payment-provider callbacks. Every delivery is
// verified, recorded under an idempotency key and applied to the hold it
// refers to.
package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/juniper/internal/codec"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// Errors returned by Receive.
var (
	ErrSignature = errors.New("webhooks: bad signature")
	ErrDuplicate = errors.New("webhooks: duplicate delivery")
	ErrThrottled = errors.New("webhooks: throttled")
)

// Confirmer applies a successful payment to its hold.
type Confirmer interface {
	Confirm(ctx context.Context, eventID, holdID, paymentID string) error
}

// Receiver handles deliveries for one provider.
type Receiver interface {
	Receive(ctx context.Context, signature string, body []byte) (domain.WebhookReceipt, error)
	Receipt(ctx context.Context, paymentID string) (domain.WebhookReceipt, bool, error)
}

// retentionNotice is attached to every receipt so that support staff reading
// a key in the dashboard know why it is there and when it goes away.
const retentionNotice = "This receipt records that a payment-provider webhook was received and applied. " +
	"It exists only to make webhook delivery idempotent: if the provider retries a delivery that was already applied, " +
	"the receiver finds this receipt and acknowledges the retry without applying the payment a second time. " +
	"Receipts are kept for thirty days, which is longer than the provider's documented retry schedule of three days " +
	"with exponential back-off. Do not delete receipts by hand: a retry arriving after deletion would confirm the hold " +
	"again, which creates a duplicate order and a duplicate ticket e-mail to the buyer. If a receipt must be removed, " +
	"for example after a data-subject request, open a ticket with the payments team so that the provider's delivery " +
	"log can be checked first. The outcome field is one of applied, ignored or failed; failed receipts are retried by " +
	"the reconciliation job at the top of every hour. Contact: payments-oncall. Runbook: payments/webhook-receipts. " +
	"This notice is versioned with the receiver; see the changelog for earlier wording of the retention policy."

type receiver struct {
	raw      store.Raw
	receipts store.Store[string, domain.WebhookReceipt]
	hits     store.Store[string, int]
	provider string
	secret   []byte
	limits   *config.Holder
	apply    Confirmer
}

var _ Receiver = (*receiver)(nil)

// NewReceiver returns a Receiver for provider.
func NewReceiver(raw store.Raw, provider string, secret []byte, limits *config.Holder, apply Confirmer) Receiver {
	return &receiver{
		raw:      raw,
		receipts: store.NewTyped[string](raw, codec.JSON[domain.WebhookReceipt]{}, ""),
		hits:     store.NewTyped[string](raw, codec.Int{}, ""),
		provider: provider,
		secret:   secret,
		limits:   limits,
		apply:    apply,
	}
}

func (r *receiver) verify(signature string, body []byte) bool {
	mac := hmac.New(sha256.New, r.secret)
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(signature))
}

func (r *receiver) throttle(ctx context.Context) error {
	lim := r.limits.Load().Limits.Webhook
	k := keys.WebhookHits(r.provider, time.Now())
	n, _, err := r.hits.Get(ctx, k)
	if err != nil {
		return err
	}
	if n >= lim.Max {
		return ErrThrottled
	}
	return r.hits.Put(ctx, k, n+1, store.WithTTL(2*time.Minute)) // EXPECT kvcounter
}

func (r *receiver) Receive(ctx context.Context, signature string, body []byte) (domain.WebhookReceipt, error) {
	if !r.verify(signature, body) {
		return domain.WebhookReceipt{}, ErrSignature
	}
	if err := r.throttle(ctx); err != nil {
		return domain.WebhookReceipt{}, err
	}
	var p domain.Payment
	if err := json.Unmarshal(body, &p); err != nil {
		return domain.WebhookReceipt{}, fmt.Errorf("webhooks: payload: %w", err)
	}
	k := keys.WebhookReceipt(r.provider, p.ID)
	if prev, seen, err := r.receipts.Get(ctx, k); err != nil {
		return domain.WebhookReceipt{}, err
	} else if seen {
		return prev, ErrDuplicate
	}
	rc := domain.WebhookReceipt{Provider: r.provider, EventID: p.ID, Type: p.Type, ReceivedAt: time.Now(), Outcome: "ignored"}
	if p.Type == "payment.succeeded" && p.Status == "paid" {
		rc.Outcome = "applied"
		if err := r.apply.Confirm(ctx, p.EventID, p.HoldID, p.ID); err != nil {
			rc.Outcome = "failed"
		}
	}
	meta := struct {
		Outcome string `json:"outcome"`
		Amount  string `json:"amount"`
		Notice  string `json:"notice"`
	}{rc.Outcome, strconv.FormatInt(p.Amount, 10), retentionNotice}
	err := r.receipts.Put(ctx, k, rc, // DEBATABLE kvrace
		store.WithTTL(30*24*time.Hour),
		store.WithMetadata(meta)) // EXPECT kvlimits
	return rc, err
}

// Receipt returns the stored receipt of a payment, if any.
func (r *receiver) Receipt(ctx context.Context, paymentID string) (domain.WebhookReceipt, bool, error) {
	return r.receipts.Get(ctx, keys.WebhookReceipt(r.provider, paymentID))
}
