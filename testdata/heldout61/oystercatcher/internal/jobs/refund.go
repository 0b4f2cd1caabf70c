// Package jobs holds the River workers of the box office: refunds,
// receipts, venue publishing and the periodic roll-ups.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// PaymentProvider is the part of the PSP client the refund worker needs.
type PaymentProvider interface {
	Refund(ctx context.Context, orderID string, ticketIDs []string) error
}

type RefundArgs struct {
	OrderID   string   `json:"order_id"`
	TicketIDs []string `json:"ticket_ids"`
	Reason    string   `json:"reason"`
}

func (RefundArgs) Kind() string { return "refund_order" }

func (RefundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "refunds", MaxAttempts: 12}
}

type refundProgress struct {
	Done     int       `json:"done"`
	Total    int       `json:"total"`
	Finished bool      `json:"finished"`
	At       time.Time `json:"at"`
}

// RefundWorker refunds an order with the PSP, then voids its tickets so
// the scanners reject them.
type RefundWorker struct {
	river.WorkerDefaults[RefundArgs]
	KV          *kvstore.Store
	Payments    PaymentProvider
	RetryWindow time.Duration
}

func (w *RefundWorker) Work(ctx context.Context, job *river.Job[RefundArgs]) error {
	order := job.Args.OrderID
	if err := w.Payments.Refund(ctx, order, job.Args.TicketIDs); err != nil {
		// Support sees the refund as blocked until River tries again.
		backoff := time.Duration(job.Attempt*job.Attempt) * 15 * time.Second
		_ = w.KV.Put(ctx, "refund:blocked:"+order, []byte(err.Error()), backoff) // EXPECT kvttl
		return fmt.Errorf("psp refund %s: %w", order, err)
	}
	_ = w.KV.Put(ctx, "refund_attempts:"+order, []byte(strconv.Itoa(job.Attempt)), 7*24*time.Hour) // EXPECT kvcounter

	total := len(job.Args.TicketIDs)
	for i, id := range job.Args.TicketIDs {
		key := ticketing.TicketKey(id)
		raw, err := w.KV.Get(ctx, key)
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		var t ticketing.Ticket
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("ticket %s: %w", id, err)
		}
		t.Status = ticketing.TicketRefunded
		buf, _ := json.Marshal(&t)
		if err := w.KV.Put(ctx, key, buf, 0); err != nil { // EXPECT kvrace
			return err
		}
		progress, _ := json.Marshal(refundProgress{Done: i + 1, Total: total, At: time.Now().UTC()})
		if err := w.KV.Put(ctx, ticketing.RefundStatusKey(order), progress, time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	final, _ := json.Marshal(refundProgress{Done: total, Total: total, Finished: true, At: time.Now().UTC()})
	return w.KV.Put(ctx, ticketing.RefundStatusKey(order), final, time.Until(job.CreatedAt.Add(w.RetryWindow))) // EXPECT kvttl
}

type ReceiptArgs struct {
	OrderID string `json:"order_id"`
	Email   string `json:"email"`
}

func (ReceiptArgs) Kind() string { return "render_receipt" }

// ReceiptWorker renders the PDF receipt and parks it in KV for download.
type ReceiptWorker struct {
	river.WorkerDefaults[ReceiptArgs]
	KV     *kvstore.Store
	Render func(ctx context.Context, orderID string) ([]byte, error)
}

func (w *ReceiptWorker) Timeout(*river.Job[ReceiptArgs]) time.Duration { return 45 * time.Second }

func (w *ReceiptWorker) Work(ctx context.Context, job *river.Job[ReceiptArgs]) error {
	order := job.Args.OrderID
	pending := "receipt:pending:" + order
	// The order page shows "preparing your receipt" while this key exists;
	// it lapses by itself if the job dies.
	if dl, ok := ctx.Deadline(); ok {
		if err := w.KV.Put(ctx, pending, []byte(job.Args.Email), time.Until(dl)); err != nil { // EXPECT kvttl
			return err
		}
	}
	pdf, err := w.Render(ctx, order)
	if err != nil {
		return err
	}
	if err := w.KV.Put(ctx, "receipt:"+order, pdf, 30*24*time.Hour); err != nil {
		return err
	}
	return w.KV.Delete(ctx, pending)
}
