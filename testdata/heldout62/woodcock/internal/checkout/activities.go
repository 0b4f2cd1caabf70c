// Package checkout runs checkout as a Temporal workflow: hold the cart's items,
// authorize the card, confirm the customer's checkout session and publish the
// receipt the edge renders.
package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

const receiptTTL = 30 * 24 * time.Hour

type LineItem struct {
	ItemID     string `json:"itemId"`
	Qty        int    `json:"qty"`
	PriceCents int    `json:"priceCents"`
}

// Session is the customer's checkout session; the app creates it when the
// customer opens checkout and polls it until it reaches a final status.
type Session struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customerId"`
	OrderID    string    `json:"orderId"`
	Status     string    `json:"status"` // open, paid, failed
	TotalCents int       `json:"totalCents"`
	PaymentID  string    `json:"paymentId,omitempty"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

type Receipt struct {
	OrderID    string    `json:"orderId"`
	PaymentID  string    `json:"paymentId"`
	TotalCents int       `json:"totalCents"`
	PaidAt     time.Time `json:"paidAt"`
}

// Payments is the card processor.
type Payments interface {
	Authorize(ctx context.Context, orderID string, cents int) (paymentID string, err error)
}

type HoldInput struct {
	OrderID string
	Items   []LineItem
	HoldFor time.Duration
}

type AuthorizeInput struct {
	OrderID    string
	TotalCents int
}

// Activities are registered with worker.RegisterActivity.
type Activities struct {
	KV       *kvstore.Namespace
	Payments Payments
}

// HoldInventory publishes the order's reserved items so restaurant tablets
// show them as pending until payment settles.
func (a *Activities) HoldInventory(ctx context.Context, in HoldInput) error {
	raw, err := json.Marshal(in.Items)
	if err != nil {
		return err
	}
	return a.KV.Put(ctx, "checkout:hold:"+in.OrderID, raw, in.HoldFor)
}

// MarkProcessing lets the apps show progress while the card is charged.
func (a *Activities) MarkProcessing(ctx context.Context, orderID string) error {
	info := activity.GetInfo(ctx)
	raw := fmt.Sprintf(`{"attempt":%d}`, info.Attempt)
	return a.KV.Put(ctx, "checkout:processing:"+orderID, []byte(raw), time.Until(info.Deadline)) // EXPECT kvttl
}

// Authorize charges the card and leaves a marker the support tool reads.
func (a *Activities) Authorize(ctx context.Context, in AuthorizeInput) (string, error) {
	pid, err := a.Payments.Authorize(ctx, in.OrderID, in.TotalCents)
	if err != nil {
		return "", err
	}
	ttl := max(time.Until(activity.GetInfo(ctx).Deadline), time.Minute)
	if err := a.KV.Put(ctx, "checkout:auth:"+in.OrderID, []byte(pid), ttl); err != nil {
		activity.GetLogger(ctx).Warn("auth marker not written", "order", in.OrderID, "err", err)
	}
	return pid, nil
}

// ConfirmSession moves the customer's checkout session to paid.
func (a *Activities) ConfirmSession(ctx context.Context, sessionID, paymentID string) error {
	key := "checkout:sess:" + sessionID
	raw, err := a.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	s.Status = "paid"
	s.PaymentID = paymentID
	s.UpdatedAt = time.Now().UTC()
	out, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return a.KV.Put(ctx, key, out, 2*time.Hour) // EXPECT kvsession|kvrace
}

// WriteReceipt stores the receipt the edge shows after checkout.
func (a *Activities) WriteReceipt(ctx context.Context, r Receipt) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return a.KV.Put(ctx, "receipt:"+r.OrderID, raw, receiptTTL)
}
