// Package dunning projects dunning schedules (the reminder plan for an
// overdue invoice) to KV, where the portal Worker shows the next reminder
// and the mailer Worker picks up due steps.
package dunning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ledgerline/treecreeper/internal/kvedge"
)

// Step is one reminder.
type Step struct {
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	Sent    bool      `json:"sent"`
}

// Schedule is the projection of an invoice's dunning plan.
type Schedule struct {
	Tenant    string `json:"tenant"`
	InvoiceID string `json:"invoice_id"`
	Steps     []Step `json:"steps"`
	History   []Step `json:"history"`
}

func scheduleKey(tenant, invoiceID string) string {
	return fmt.Sprintf("dunning:%s:%s", tenant, invoiceID)
}

// Projector writes schedules with the REST API.
type Projector struct {
	NS   *kvedge.Namespace
	Pool *pgxpool.Pool
}

// RecordSent moves a step that the mailer has sent into the history.
func (p *Projector) RecordSent(ctx context.Context, tenant, invoiceID string, step Step) error {
	key := scheduleKey(tenant, invoiceID)
	raw, err := p.NS.Get(ctx, key)
	if err != nil {
		return err
	}
	var s Schedule
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	step.Sent = true
	s.History = append(s.History, step)
	s.Steps = s.Steps[min(1, len(s.Steps)):]
	body, _ := json.Marshal(s)
	return p.NS.Put(ctx, key, body, 90*24*time.Hour) // EXPECT kvrace
}

type dueRow struct {
	Tenant    string    `db:"tenant"`
	InvoiceID string    `db:"invoice_id"`
	NextAt    time.Time `db:"next_at"`
	Channel   string    `db:"channel"`
}

// Tick projects every schedule whose next step is due in the coming hour.
// It runs once a minute from the relay process.
func (p *Projector) Tick(ctx context.Context) error {
	rows, err := p.Pool.Query(ctx, `
SELECT tenant, invoice_id, next_at, channel FROM dunning_steps
 WHERE next_at < now() + interval '1 hour' AND NOT projected ORDER BY next_at`)
	if err != nil {
		return err
	}
	due, err := pgx.CollectRows(rows, pgx.RowToStructByName[dueRow])
	if err != nil {
		return err
	}
	for _, d := range due {
		s := Schedule{Tenant: d.Tenant, InvoiceID: d.InvoiceID, Steps: []Step{{At: d.NextAt, Channel: d.Channel}}}
		body, _ := json.Marshal(s)
		if err := p.NS.Put(ctx, scheduleKey(d.Tenant, d.InvoiceID), body, 90*24*time.Hour); err != nil {
			return err
		}
		if err := p.NS.Put(ctx, "dunning:cursor", []byte(d.NextAt.Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Reconcile removes schedules of invoices that have been paid.
func (p *Projector) Reconcile(ctx context.Context, tenant string) error {
	page, err := p.NS.ListPage(ctx, "dunning:"+tenant+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		invoiceID := strings.TrimPrefix(k.Name, "dunning:"+tenant+":")
		var open bool
		if err := p.Pool.QueryRow(ctx, `SELECT status <> 'paid' FROM invoices WHERE tenant = $1 AND id = $2`, tenant, invoiceID).Scan(&open); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if !open {
			if err := p.NS.Delete(ctx, k.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExportKeys returns at most maxPages pages of schedule keys for the
// finance export, with the cursor to resume from.
func (p *Projector) ExportKeys(ctx context.Context, tenant, cursor string, maxPages int) ([]string, string, error) {
	var names []string
	for range maxPages {
		page, err := p.NS.ListPage(ctx, "dunning:"+tenant+":", cursor, 1000)
		if err != nil {
			return nil, "", err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		cursor = page.Cursor
		if cursor == "" {
			break
		}
	}
	return names, cursor, nil
}

// PurgeTenant removes every schedule of an offboarded tenant.
func (p *Projector) PurgeTenant(ctx context.Context, tenant string) error {
	iter := p.NS.API().Keys.ListAutoPaging(ctx, p.NS.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(p.NS.AccountID()),
		Prefix:    cloudflare.F("dunning:" + tenant + ":"),
	})
	var batch []string
	for iter.Next() {
		batch = append(batch, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return err
	}
	for start := 0; start < len(batch); start += 10_000 {
		end := min(start+10_000, len(batch))
		if _, err := p.NS.API().Keys.BulkDelete(ctx, p.NS.ID(), kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(p.NS.AccountID()),
			Body:      batch[start:end],
		}); err != nil {
			return err
		}
	}
	return nil
}

// SampleKeys returns up to n schedule keys for the support dashboard.
func (p *Projector) SampleKeys(ctx context.Context, tenant string, n int) ([]string, error) {
	iter := p.NS.API().Keys.ListAutoPaging(ctx, p.NS.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(p.NS.AccountID()),
		Prefix:    cloudflare.F("dunning:" + tenant + ":"),
		Limit:     cloudflare.F(100.0),
	})
	var out []string
	for iter.Next() && len(out) < n {
		out = append(out, iter.Current().Name)
	}
	return out, iter.Err()
}

// Peek returns the first page of keys for the on-call dashboard.
func (p *Projector) Peek(ctx context.Context, tenant string) ([]kv.Key, string, error) {
	res, err := p.NS.API().Keys.List(ctx, p.NS.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(p.NS.AccountID()),
		Prefix:    cloudflare.F("dunning:" + tenant + ":"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	return res.Result, res.ResultInfo.Cursor, nil
}

const reminderFooter = `You are receiving this reminder because an invoice issued to your organisation remains unpaid after its due date. ` +
	`If you have already paid, please disregard this message; bank transfers can take up to three business days to reach us and ` +
	`the reminder schedule stops automatically once the payment is matched. If you believe the invoice is incorrect, reply to ` +
	`this message or open the customer portal and choose "Dispute invoice" so that our billing team can review it before the ` +
	`next reminder. Late payment may incur interest at the statutory rate where permitted by law and by the terms agreed in ` +
	`your contract. To change the contact who receives these reminders, update the billing contact in the portal settings. ` +
	`For payment by card, use the secure payment link included above; for bank transfer, quote the invoice number as the ` +
	`payment reference so that it can be matched without delay. Our billing team is available on business days between ` +
	`09:00 and 17:00 in your account's time zone and can arrange a payment plan for larger balances on request.`

// PublishTemplate stores the reminder template of a tenant, with the
// footer in metadata so the mailer can list templates without reading them.
func (p *Projector) PublishTemplate(ctx context.Context, tenant, channel, body string) error {
	_, err := p.NS.API().Values.Update(ctx, p.NS.ID(), "dunning-template:"+tenant+":"+channel, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.NS.AccountID()),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		Metadata: cloudflare.F[any](map[string]string{ // EXPECT kvlimits
			"channel": channel,
			"footer":  reminderFooter,
		}),
	})
	return err
}

// NextReminder returns the projected next reminder of an invoice, or the
// zero Step when no schedule is projected.
func (p *Projector) NextReminder(ctx context.Context, tenant, invoiceID string) (Step, error) {
	res, err := p.NS.API().Values.Get(ctx, p.NS.ID(), scheduleKey(tenant, invoiceID), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.NS.AccountID()),
	})
	if err != nil {
		return Step{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return Step{}, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		var s Schedule
		if err := json.Unmarshal(raw, &s); err != nil {
			return Step{}, err
		}
		if len(s.Steps) > 0 {
			return s.Steps[0], nil
		}
	}
	slog.DebugContext(ctx, "no reminder projected", "invoice", invoiceID)
	return Step{}, nil
}
