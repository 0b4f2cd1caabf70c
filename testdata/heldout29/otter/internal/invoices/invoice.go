// Package invoices manages invoices: drafting, issuing, settling and
// rendering them.
package invoices

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// Status is the lifecycle state of an invoice.
type Status string

const (
	StatusDraft Status = "draft"
	StatusOpen  Status = "open"
	StatusPaid  Status = "paid"
	StatusVoid  Status = "void"
)

type LineItem struct {
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitMinor   int64  `json:"unit_minor"`
	TaxRateBP   int64  `json:"tax_rate_bp"`
}

func (l LineItem) Total() int64 {
	net := l.Quantity * l.UnitMinor
	return net + net*l.TaxRateBP/10_000
}

// Invoice is the stored invoice document.
type Invoice struct {
	ID         string     `json:"id"`
	Tenant     string     `json:"tenant"`
	CustomerID string     `json:"customer_id"`
	Number     string     `json:"number"`
	Currency   string     `json:"currency"`
	Status     Status     `json:"status"`
	Lines      []LineItem `json:"lines"`
	IssuedAt   time.Time  `json:"issued_at,omitzero"`
	DueAt      time.Time  `json:"due_at,omitzero"`
	PaidAt     time.Time  `json:"paid_at,omitzero"`
	Memo       string     `json:"memo,omitempty"`
}

func (i Invoice) Total() (t int64) {
	for _, l := range i.Lines {
		t += l.Total()
	}
	return t
}

var ErrState = errors.New("invoice: invalid state transition")

func (i *Invoice) finalize(now time.Time, terms time.Duration) error {
	if i.Status != StatusDraft || len(i.Lines) == 0 {
		return fmt.Errorf("%w: %s with %d lines -> open", ErrState, i.Status, len(i.Lines))
	}
	i.Status, i.IssuedAt, i.DueAt = StatusOpen, now, now.Add(terms)
	return nil
}

func (i *Invoice) markPaid(now time.Time) error {
	if i.Status != StatusOpen {
		return fmt.Errorf("%w: %s -> paid", ErrState, i.Status)
	}
	i.Status, i.PaidAt = StatusPaid, now
	return nil
}

func render(inv Invoice) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "INVOICE %s\nCustomer: %s\nDue: %s\n\n", inv.Number, inv.CustomerID, inv.DueAt.Format(time.DateOnly))
	for _, l := range inv.Lines {
		fmt.Fprintf(&buf, "%-40s %6d %12d\n", l.Description, l.Quantity, l.Total())
	}
	fmt.Fprintf(&buf, "%-47s %12d %s\n\n%s\n", "Total", inv.Total(), inv.Currency, standardTerms)
	return buf.Bytes()
}

// standardTerms is printed at the foot of every issued invoice.
const standardTerms = "Payment is due within the period stated on this invoice. " +
	"Amounts not paid by the due date accrue interest at the statutory rate applicable to commercial transactions, " +
	"calculated daily from the due date until the date of payment, together with a fixed compensation for recovery costs. " +
	"The supplier may suspend delivery of goods or services while any invoice remains overdue. " +
	"Disputes concerning this invoice must be raised in writing within fourteen days of the invoice date; " +
	"undisputed portions remain payable on the original due date. " +
	"Payments must quote the invoice number as the remittance reference; payments without a reference may be applied to the oldest open invoice. " +
	"Bank charges levied by the payer's bank are borne by the payer. " +
	"Where the invoice is issued in a currency other than the payer's local currency, the amount due is the amount stated in the invoice currency, " +
	"and any exchange difference arising on settlement is borne by the payer. " +
	"Title to goods passes on receipt of payment in full. " +
	"This invoice is issued electronically and is valid without signature. " +
	"Reverse charge: where indicated, the customer is liable to account for value added tax under the reverse charge mechanism. " +
	"Personal data contained in this invoice is processed in accordance with the supplier's privacy notice, available on request."
