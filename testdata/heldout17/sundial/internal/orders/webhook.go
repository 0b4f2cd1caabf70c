package orders

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
)

// PaymentEvent is a provider notification about a payment.
type PaymentEvent struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	OrderID   string `json:"order_id"`
	Reference string `json:"reference"`
	Amount    int64  `json:"amount"`
	Created   int64  `json:"created"`
}

// Delivery is the D1 row recording a processed webhook delivery.
type Delivery struct {
	Provider   string    `json:"provider"`
	ID         string    `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
}

// ErrSignature is returned for a webhook whose signature does not verify.
var ErrSignature = errors.New("orders: bad webhook signature")

// Webhooks applies payment provider notifications to orders.
type Webhooks struct {
	svc         *Service
	st          storage.Store
	deliveries  d1.Table[Delivery]
	secrets     map[string][]byte
	retryWindow time.Duration
	clock       clock.Clock
}

// NewWebhooks returns a Webhooks handler.
func NewWebhooks(svc *Service, st storage.Store, deliveries d1.Table[Delivery], secrets map[string][]byte, retryWindow time.Duration, c clock.Clock) *Webhooks {
	return &Webhooks{svc: svc, st: st, deliveries: deliveries, secrets: secrets, retryWindow: retryWindow, clock: c}
}

// Verify checks a "t=<unix>,v1=<hex>" signature header over body.
func (w *Webhooks) Verify(provider, header string, body []byte) (PaymentEvent, error) {
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	secret, ok := w.secrets[provider]
	if !ok || ts == "" || sig == "" {
		return PaymentEvent{}, ErrSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || w.clock.Now().Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return PaymentEvent{}, ErrSignature
	}
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "%s.", ts)
	mac.Write(body)
	want, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(mac.Sum(nil), want) {
		return PaymentEvent{}, ErrSignature
	}
	var evt PaymentEvent
	if err := json.Unmarshal(body, &evt); err != nil {
		return PaymentEvent{}, fmt.Errorf("orders: webhook body: %w", err)
	}
	return evt, nil
}

// HandleStripe applies a Stripe event once.
func (w *Webhooks) HandleStripe(ctx context.Context, evt PaymentEvent) error {
	k := keys.Webhook("stripe", evt.ID).String()
	if _, err := w.st.Get(ctx, k); err == nil {
		return ErrDuplicate
	} else if !storage.IsNotFound(err) {
		return err
	}
	if err := w.apply(ctx, evt); err != nil {
		return err
	}
	if err := w.st.Put(ctx, k, []byte(evt.Type), storage.PutOptions{TTL: 7 * 24 * time.Hour}); err != nil { // EXPECT kvrace
		return err
	}
	return w.st.Put(ctx, "webhooks:last-received", []byte(w.clock.Now().Format(time.RFC3339)), storage.PutOptions{}) // EXPECT kvhotkey
}

// HandlePayPal applies a PayPal event once. The delivery row's primary key
// makes the duplicate check and the insert one statement.
func (w *Webhooks) HandlePayPal(ctx context.Context, evt PaymentEvent) error {
	row := Delivery{Provider: "paypal", ID: evt.ID, ReceivedAt: w.clock.Now()}
	if err := w.deliveries.Insert(ctx, "paypal:"+evt.ID, row); errors.Is(err, d1.ErrConflict) {
		return ErrDuplicate
	} else if err != nil {
		return err
	}
	if err := w.apply(ctx, evt); err != nil {
		return err
	}
	receipt, _ := json.Marshal(row)
	return w.st.Put(ctx, keys.Webhook("paypal", evt.ID).String(), receipt, storage.PutOptions{
		TTL: max(2*w.retryWindow, 10*time.Second), // EXPECT kvttl
	})
}

func (w *Webhooks) apply(ctx context.Context, evt PaymentEvent) error {
	var to Status
	switch evt.Type {
	case "payment.succeeded", "PAYMENT.CAPTURE.COMPLETED":
		to = Paid
	case "payment.refunded", "PAYMENT.CAPTURE.REFUNDED":
		to = Refunded
	case "payment.failed", "PAYMENT.CAPTURE.DENIED":
		to = Cancelled
	default:
		return nil
	}
	_, err := w.svc.Transition(ctx, evt.OrderID, to, evt.Type+" "+evt.Reference)
	var te *TransitionError
	if errors.As(err, &te) {
		return nil
	}
	return err
}
