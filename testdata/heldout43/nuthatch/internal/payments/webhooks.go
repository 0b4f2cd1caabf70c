//go:build !js

package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/kvkeys"
	"github.com/cityparking/nuthatch/internal/kvstore"
)

// Event is a webhook delivery from the payment provider.
type Event struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	City    string          `json:"city"`
	Created int64           `json:"created"`
	Data    json.RawMessage `json:"data"`
}

type chargeData struct {
	ChargeID  string `json:"charge_id"`
	Account   string `json:"account"`
	Email     string `json:"email"`
	Cents     int64  `json:"amount"`
	HoldID    string `json:"hold_id"`
	ExpiresAt int64  `json:"expires_at"`
	SettlesAt int64  `json:"settles_at"`
}

// Account is the payer profile created on the first payment.
type Account struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	Locale    string    `json:"locale"`
	Receipts  bool      `json:"receipts"`
}

// Receipt is the document e-mailed after a charge.
type Receipt struct {
	ID      string    `json:"id"`
	Account string    `json:"account"`
	Cents   int64     `json:"cents"`
	Issued  time.Time `json:"issued"`
}

const receiptRetention = 400 * 24 * time.Hour

// receiptNotice is printed at the foot of every receipt.
const receiptNotice = "This receipt confirms payment of municipal parking fees collected on behalf of the " +
	"city named above under its parking ordinance. Fees paid for on-street parking are not refundable " +
	"except where a session was charged in error, a meter or sign was found to be defective, or the zone " +
	"was closed by the city for an event, street works or an emergency after the session was started. " +
	"Refund requests must be made within ninety days of the charge through the account portal or by " +
	"writing to the parking services office; please quote the receipt number shown above. A parking " +
	"payment does not authorize parking where posted restrictions, tow-away zones, loading zones, " +
	"disabled bays, residential permit areas outside permitted hours, or temporary no-parking orders apply, " +
	"and does not excuse any citation issued for such a violation. Citations are contested separately " +
	"through the adjudication process described on the back of the citation. Wallet balances do not " +
	"expire, are not transferable between accounts, and are not redeemable for cash except where required " +
	"by law. Personal data is processed under the city's privacy notice for parking services."

// Webhooks dispatches provider events.
type Webhooks struct {
	Ledger *Ledger
}

// Handle dispatches one event by type.
func (wh *Webhooks) Handle(ctx context.Context, ev Event) error {
	t, err := wh.Ledger.Tenants.For(ev.City)
	if err != nil {
		return err
	}
	seenKey := "webhooks/seen/" + ev.ID
	if _, err := t.KV.Get(ctx, seenKey); err == nil {
		slog.InfoContext(ctx, "duplicate webhook", "id", ev.ID)
		return nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}

	var d chargeData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return fmt.Errorf("webhook %s: %w", ev.ID, err)
	}
	switch ev.Type {
	case "charge.succeeded":
		if err := wh.ensureAccount(ctx, t, d.Account, d.Email); err != nil {
			return err
		}
		if _, err := wh.Ledger.TopUp(ctx, ev.City, d.Account, d.Cents, d.ChargeID); err != nil {
			return err
		}
		if err := wh.writeReceipt(ctx, t, d); err != nil {
			return err
		}
	case "charge.refunded":
		if err := wh.Ledger.Refund(ctx, ev.City, d.Account, d.Cents, d.ChargeID); err != nil {
			return err
		}
	case "authorization.created":
		h := Hold{ID: d.HoldID, Account: d.Account, Cents: d.Cents, ExpiresAt: time.Unix(d.ExpiresAt, 0)}
		if err := wh.Ledger.RecordHold(ctx, ev.City, h); err != nil {
			return err
		}
	case "authorization.captured":
		h := Hold{ID: d.HoldID, Account: d.Account, Cents: d.Cents}
		if err := wh.Ledger.RecordCapture(ctx, ev.City, h, time.Unix(d.SettlesAt, 0)); err != nil {
			return err
		}
		if err := t.KV.Delete(ctx, holdKey(d.HoldID)); err != nil {
			return err
		}
	case "authorization.released":
		if err := t.KV.Delete(ctx, holdKey(d.HoldID)); err != nil {
			return err
		}
	default:
		slog.DebugContext(ctx, "ignored webhook", "type", ev.Type)
	}
	return t.KV.Put(ctx, seenKey, []byte(ev.Type), 7*24*time.Hour) // EXPECT kvrace
}

// HandleBatch processes a replayed batch of events in order and records how
// far it got so an interrupted replay can resume.
func (wh *Webhooks) HandleBatch(ctx context.Context, st *kvstore.Store, events []Event) error {
	for _, ev := range events {
		if err := wh.Handle(ctx, ev); err != nil {
			return fmt.Errorf("replay stopped at %s: %w", ev.ID, err)
		}
		if err := st.Put(ctx, kvkeys.Raw("webhooks/replay/position").String(), []byte(ev.ID), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (wh *Webhooks) ensureAccount(ctx context.Context, t *kvstore.Tenant, account, email string) error {
	key := "accounts/" + account
	if _, err := t.KV.Get(ctx, key); err != nil { // EXPECT kvnull
		body, err := json.Marshal(Account{ID: account, Email: email, CreatedAt: wh.Ledger.Clock.Now(), Locale: "en-US", Receipts: true})
		if err != nil {
			return err
		}
		return t.KV.Put(ctx, key, body, 0) // DEBATABLE kvrace
	}
	return nil
}

func (wh *Webhooks) writeReceipt(ctx context.Context, t *kvstore.Tenant, d chargeData) error {
	r := Receipt{ID: "rcpt_" + d.ChargeID, Account: d.Account, Cents: d.Cents, Issued: wh.Ledger.Clock.Now()}
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	meta := map[string]any{
		"account": r.Account,
		"cents":   r.Cents,
		"notice":  receiptNotice, // EXPECT kvlimits
	}
	return t.KV.PutWithMeta(ctx, "receipts/"+d.Account+"/"+r.ID, body, meta, receiptRetention)
}

// ReceiptIndex lists one page of an account's receipts. Amounts come from
// key metadata so the page needs no further reads.
func (wh *Webhooks) ReceiptIndex(ctx context.Context, city, account, cursor string) ([]Receipt, string, error) {
	t, err := wh.Ledger.Tenants.For(city)
	if err != nil {
		return nil, "", err
	}
	page, err := t.KV.ListPage(ctx, "receipts/"+account+"/", cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]Receipt, 0, len(page.Keys))
	for _, k := range page.Keys {
		r := Receipt{ID: k.Name[len("receipts/"+account+"/"):], Account: account}
		if m, ok := k.Metadata.(map[string]any); ok {
			if c, ok := m["cents"].(float64); ok {
				r.Cents = int64(c)
			}
		}
		out = append(out, r)
	}
	return out, page.Cursor, nil
}
