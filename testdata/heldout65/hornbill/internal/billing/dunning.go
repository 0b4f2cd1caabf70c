package billing

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// DunningState follows one unpaid invoice through Stripe's retry schedule.
type DunningState struct {
	InvoiceID   string   `json:"invoice_id"`
	CustomerID  string   `json:"customer_id"`
	AmountDue   int64    `json:"amount_due"`
	Failures    []int64  `json:"failures"`
	NoticesSent []string `json:"notices_sent"`
	PayURL      string   `json:"pay_url"`
}

func dunningKey(invoiceID string) string { return "dunning:" + invoiceID }

// noticeFor picks the e-mail template for the n-th failed attempt.
func noticeFor(attempt int64) string {
	switch {
	case attempt <= 1:
		return "payment_failed_soft"
	case attempt == 2:
		return "payment_failed_reminder"
	default:
		return "payment_failed_final"
	}
}

func (s *Service) onInvoicePaymentFailed(ctx context.Context, ev stripe.Event) error {
	var inv stripe.Invoice
	if err := json.Unmarshal(ev.Data.Raw, &inv); err != nil {
		return errf("decode invoice: %w", err)
	}
	custID := ""
	if inv.Customer != nil {
		custID = inv.Customer.ID
	}

	st := DunningState{InvoiceID: inv.ID, CustomerID: custID}
	raw, err := s.kv.Get(ctx, dunningKey(inv.ID))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &st); err != nil {
			return errf("decode dunning state %s: %w", inv.ID, err)
		}
	}
	st.AmountDue = inv.AmountDue
	st.PayURL = inv.HostedInvoiceURL
	st.Failures = append(st.Failures, ev.Created)
	st.NoticesSent = append(st.NoticesSent, noticeFor(inv.AttemptCount))
	if err := s.kv.PutJSON(ctx, dunningKey(inv.ID), st, 45*24*time.Hour); err != nil { // EXPECT kvrace
		return err
	}

	if err := s.kv.Put(ctx, "dunning:attempts:"+inv.ID, // EXPECT kvcounter
		[]byte(strconv.FormatInt(inv.AttemptCount, 10)), 45*24*time.Hour); err != nil {
		return err
	}

	if inv.NextPaymentAttempt == 0 {
		return nil
	}
	// The banner in the portal shows the next retry until Stripe makes it.
	nextRetry := time.Unix(inv.NextPaymentAttempt, 0)
	banner, _ := json.Marshal(map[string]any{"invoice": inv.ID, "retry_at": inv.NextPaymentAttempt, "pay_url": inv.HostedInvoiceURL})
	return s.kv.Put(ctx, "banner:dunning:"+custID, banner,
		time.Until(nextRetry)) // EXPECT kvttl
}

// onInvoicePaid closes the dunning record. The record is kept for a month for
// support, and the banner goes away.
func (s *Service) onInvoicePaid(ctx context.Context, ev stripe.Event) error {
	var inv stripe.Invoice
	if err := json.Unmarshal(ev.Data.Raw, &inv); err != nil {
		return errf("decode invoice: %w", err)
	}
	if inv.Customer != nil {
		if err := s.kv.Delete(ctx, "banner:dunning:"+inv.Customer.ID); err != nil {
			return err
		}
	}
	paid, _ := json.Marshal(map[string]any{"invoice_id": inv.ID, "paid_at": ev.Created})
	// Receipts must outlive the event even when Stripe replays an old one.
	paidAt := time.Unix(ev.Created, 0)
	keep := max(time.Until(paidAt.AddDate(0, 1, 0)), time.Hour)
	return s.kv.Put(ctx, "receipt:"+inv.ID, paid, keep)
}
