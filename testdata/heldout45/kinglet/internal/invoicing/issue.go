package invoicing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kinglet/internal/kvstore"
)

// standardTerms is printed on every issued invoice and shown in the portal.
const standardTerms = "Payment is due within the number of days stated on this invoice. " +
	"Amounts not paid by the due date accrue interest at the statutory rate for commercial " +
	"transactions from the day after the due date until the day of payment, together with a " +
	"fixed compensation for recovery costs where the law provides for one. Payments are applied " +
	"first to accrued interest and recovery costs and then to the oldest open principal. Any " +
	"dispute about this invoice must be raised in writing within fourteen days of its date, " +
	"stating the invoice number and the disputed lines; undisputed lines remain payable on the " +
	"due date. Bank charges of the payer's bank are borne by the payer. Where the customer has " +
	"agreed to payment by card or direct debit, the amount will be collected on or after the due " +
	"date using the payment method on file and no further action is required. Credit notes are " +
	"issued only against a referenced invoice. The supplier may suspend services under the " +
	"agreement while any invoice is more than thirty days overdue, after giving seven days' " +
	"notice. These terms form part of the master services agreement between the parties; if the " +
	"agreement conflicts with these terms, the agreement prevails. Governing law and venue are " +
	"as set out in the agreement."

// Issued is an invoice after numbering.
type Issued struct {
	Number     string    `json:"number"`
	CustomerID string    `json:"customer_id"`
	Currency   string    `json:"currency"`
	TotalCents int64     `json:"total_cents"`
	IssuedAt   time.Time `json:"issued_at"`
	DueAt      time.Time `json:"due_at"`
	Lines      []Line    `json:"lines"`
}

// Issuer turns drafts into numbered invoices.
type Issuer struct {
	Numbers   Numberer
	Drafts    *DraftStore
	Store     *kvstore.Store
	Namespace string
}

// Issue numbers the draft, stores the invoice and removes the draft.
func (i Issuer) Issue(ctx context.Context, customerID, draftID string) (Issued, error) {
	d, err := i.Drafts.Load(ctx, customerID, draftID)
	if err != nil {
		return Issued{}, fmt.Errorf("load draft: %w", err)
	}
	now := time.Now().UTC()
	num, err := i.Numbers.Next(ctx, customerID, now.Year())
	if err != nil {
		return Issued{}, err
	}
	inv := Issued{
		Number:     num,
		CustomerID: customerID,
		Currency:   d.Currency,
		TotalCents: d.TotalCents(),
		IssuedAt:   now,
		DueAt:      now.AddDate(0, 0, d.DueDays),
		Lines:      d.Lines,
	}
	body, err := json.Marshal(inv)
	if err != nil {
		return Issued{}, err
	}
	meta := map[string]any{"customer": customerID, "total": inv.TotalCents, "terms": standardTerms} // EXPECT kvlimits
	if err := i.Store.PutWithMeta(ctx, i.Namespace, "invoice:"+num, body, 0, meta); err != nil {
		return Issued{}, err
	}
	summary := map[string]any{"total": inv.TotalCents, "currency": inv.Currency, "due": inv.DueAt.Unix()}
	if err := i.Store.PutWithMeta(ctx, i.Namespace, fmt.Sprintf("by-customer:%s:%s", customerID, num), nil, 0, summary); err != nil {
		return Issued{}, err
	}
	return inv, i.Drafts.Delete(ctx, customerID, draftID)
}
