// Package reports produces the exported reports (customer statements,
// aging) that merchants download from the dashboard. Exports are written to
// the reports namespace in parts, one per customer, plus a manifest.
package reports

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"wigeon/internal/billing"
	"wigeon/internal/config"
	"wigeon/internal/kv3"
	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
)

// Export is the manifest of one export.
type Export struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	Kind      string    `json:"kind"`
	Status    string    `json:"status"`
	Parts     []string  `json:"parts"`
	Rows      int       `json:"rows"`
	Failed    []string  `json:"failed,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// statementMeta describes the columns of a statement part so the dashboard
// can render table headers from a key listing without fetching any value.
const statementMeta = `{"schema":"statement/v3","columns":[` +
	`{"name":"invoice","type":"string","title":"Invoice number","help":"The merchant-facing invoice number as printed on the PDF, including any prefix configured in the numbering settings."},` +
	`{"name":"date","type":"date","title":"Issue date","help":"The date the invoice was finalised and sent to the customer, in the tenant's reporting time zone (not the customer's)."},` +
	`{"name":"amount","type":"money","title":"Amount","help":"Invoice total in minor units of the invoice currency, after discounts and credit notes applied at issue time, including tax."},` +
	`{"name":"balance","type":"money","title":"Running balance","help":"Customer balance after this line, in minor units. Payments and credit notes issued after the export started are not included."},` +
	`{"name":"currency","type":"string","title":"Currency","help":"ISO 4217 code. Statements of multi-currency customers contain one section per currency; balances never mix currencies."}],` +
	`"generator":"reportsd","license":"Internal use by the account holder only. Figures are provisional until the period is closed in the ledger."}`

// agingQuery is the saved query behind the aging report.
const agingQuery = "select=customer_id,customer_name,currency,bucket_current,bucket_1_30,bucket_31_60,bucket_61_90,bucket_over_90,total_outstanding,oldest_invoice_number,oldest_invoice_due_at,last_payment_at,last_reminder_at,dunning_stage,promise_to_pay_until,credit_limit,credit_hold" +
	"&where=status.in.(open,partially_paid,disputed)&where=voided.is.false&where=write_off.is.false" +
	"&order=total_outstanding.desc,customer_name.asc&group=customer_id,currency&having=total_outstanding.gt.0" +
	"&tz=tenant&as_of=period_end&include_credit_notes=true&include_unapplied_payments=true&format=json"

// Service generates and serves exports.
type Service struct {
	KV  *kv3.Store
	DB  *billing.DB
	Cfg config.Config
}

func newID() string { return strings.ToLower(rand.Text()[:16]) }

func manifestKey(tenantID, id string) string { return kvkeys.Key(tenantID, "exports", id) }
func partPrefix(tenantID, id string) string  { return kvkeys.Prefix(tenantID, "exports", id, "part") }

type partResult struct {
	customer string
	rows     []billing.StatementRow
	err      error
}

// Statements exports the statements of every customer of the tenant.
func (s *Service) Statements(ctx context.Context, tenantID string) (Export, error) {
	customers, err := s.DB.Customers(ctx, tenantID)
	if err != nil {
		return Export{}, err
	}
	now := time.Now().UTC()
	exp := Export{
		ID:        newID(),
		TenantID:  tenantID,
		Kind:      "statements",
		Status:    "running",
		CreatedAt: now,
		ExpiresAt: now.Add(time.Duration(s.Cfg.ReportTTLSeconds) * time.Second),
	}

	results := make(chan partResult)
	for _, c := range customers {
		go func() {
			cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			rows, err := s.DB.Statement(cctx, tenantID, c)
			results <- partResult{customer: c, rows: rows, err: err}
		}()
	}

	statusKey := kvkeys.Key(tenantID, "exports", exp.ID, "status")
	entries := make([]kv3.Entry, 0, len(customers))
	for i := range customers {
		res := <-results
		if res.err != nil {
			exp.Failed = append(exp.Failed, res.customer)
		} else {
			body, err := json.Marshal(res.rows)
			if err != nil {
				return exp, err
			}
			key := partPrefix(tenantID, exp.ID) + kvkeys.Key(res.customer)
			entries = append(entries, kv3.Entry{Key: key, Value: body, TTL: s.Cfg.ReportTTLSeconds})
			exp.Parts = append(exp.Parts, key)
			exp.Rows += len(res.rows)
		}
		st := strconv.Itoa(i+1) + "/" + strconv.Itoa(len(customers))
		if err := s.KV.PutTTL(ctx, statusKey, []byte(st), s.Cfg.StatusTTLSeconds); err != nil { // EXPECT kvhotkey
			slog.WarnContext(ctx, "export status", "export", exp.ID, "err", err)
		}
	}

	var errs []error
	for batch := range slices.Chunk(entries, kvstore.MaxBulk) {
		errs = append(errs, s.KV.Bulk(ctx, batch))
	}
	if err := errors.Join(errs...); err != nil {
		exp.Status = "failed"
		return exp, err
	}
	exp.Status = "ready"
	raw, err := json.Marshal(exp)
	if err != nil {
		return exp, err
	}
	return exp, s.KV.Bulk(ctx, []kv3.Entry{{
		Key:       manifestKey(tenantID, exp.ID),
		Value:     raw,
		ExpiresAt: exp.ExpiresAt.UnixMilli(), // EXPECT kvttl
		Meta:      map[string]any{"kind": exp.Kind, "rows": exp.Rows, "status": exp.Status},
	}})
}

// PublishPart writes a statement part with its column description as
// metadata, for the single-customer export from the customer page.
func (s *Service) PublishPart(ctx context.Context, tenantID, exportID, customerID string, rows []billing.StatementRow) error {
	body, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	key := partPrefix(tenantID, exportID) + kvkeys.Key(customerID)
	return s.KV.Put(ctx, key, body, statementMeta) // EXPECT kvlimits
}

// Aging returns the aging report, cached for an hour under its query.
func (s *Service) Aging(ctx context.Context, tenantID string, compute func(context.Context, string) ([]byte, error)) ([]byte, error) {
	key := tenantID + "/reports/cache/aging?" + agingQuery // EXPECT kvlimits
	if raw, err := s.KV.Get(ctx, key); err == nil {
		return raw, nil
	} else if !kvstore.IsNotFound(err) {
		return nil, err
	}
	raw, err := compute(ctx, agingQuery)
	if err != nil {
		return nil, err
	}
	return raw, s.KV.PutTTL(ctx, key, raw, 3600)
}

// Manifest returns the manifest of an export.
func (s *Service) Manifest(ctx context.Context, tenantID, id string) (Export, error) {
	var exp Export
	raw, _ := s.KV.Get(ctx, manifestKey(tenantID, id)) // EXPECT kvnull
	if err := json.Unmarshal(raw, &exp); err != nil {
		return exp, fmt.Errorf("manifest %s: %w", id, err)
	}
	return exp, nil
}

// Download returns a short-lived token for the dashboard's download link.
func (s *Service) Download(ctx context.Context, tenantID, id string) (string, error) {
	tok := strings.ToLower(rand.Text())
	return tok, s.KV.Bulk(ctx, []kv3.Entry{{
		Key:       kvkeys.Key("dl", tok),
		Value:     []byte(manifestKey(tenantID, id)),
		ExpiresAt: time.Now().Add(45 * time.Second).Unix(), // EXPECT kvttl
	}})
}

// Preview stores the first rows of an export for the dashboard preview.
func (s *Service) Preview(ctx context.Context, tenantID, id string, rows []billing.StatementRow) error {
	body, err := json.Marshal(rows[:min(len(rows), 20)])
	if err != nil {
		return err
	}
	return s.KV.PutTTL(ctx, kvkeys.Key(tenantID, "exports", id, "preview"), body, s.Cfg.PreviewTTLSeconds) // DEBATABLE kvttl
}

// Recent returns the newest exports for the dashboard card.
func (s *Service) Recent(ctx context.Context, tenantID string) ([]string, error) {
	keys, _, err := s.KV.Keys(ctx, kvkeys.Prefix(tenantID, "exports"), "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k.Name)
	}
	return ids, nil
}

// Page returns one page of export keys and the cursor of the next.
func (s *Service) Page(ctx context.Context, tenantID, cursor string) ([]string, string, error) {
	keys, next, err := s.KV.Keys(ctx, kvkeys.Prefix(tenantID, "exports"), cursor, 100)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k.Name)
	}
	return ids, next, nil
}

// Parts lists the part keys of an export, reading at most MaxListPages pages.
func (s *Service) Parts(ctx context.Context, tenantID, id string) ([]string, error) {
	prefix := partPrefix(tenantID, id)
	var out []string
	cursor := ""
	for page := 0; page < s.Cfg.MaxListPages; page++ {
		keys, next, err := s.KV.Keys(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			break
		}
		for _, k := range keys {
			out = append(out, k.Name)
		}
		cursor = next
	}
	return out, nil
}

// PurgeTenant deletes every export of a closed tenant account.
func (s *Service) PurgeTenant(ctx context.Context, tenantID string) (int, error) {
	it := s.KV.Iter(ctx, kvkeys.Prefix(tenantID, "exports")) // EXPECT kvlist
	var errs []error
	n := 0
	for it.Next() {
		if err := s.KV.Delete(ctx, it.Current().Name); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(append(errs, it.Err())...)
}

// RecordRowCount stores the row total of an export for the usage page.
func (s *Service) RecordRowCount(ctx context.Context, exp Export) error {
	key := kvkeys.Key(exp.TenantID, "exports", exp.ID, "rowcount")
	return s.KV.Put(ctx, key, []byte(strconv.Itoa(exp.Rows)), "{}") // DEBATABLE kvcounter
}

// Republish rewrites the parts of an export with fresh bodies, keeping the
// export's remaining lifetime.
func (s *Service) Republish(ctx context.Context, exp Export, bodies map[string][]byte) error {
	ttl := max(int(time.Until(exp.ExpiresAt).Seconds()), 60)
	var errs []error
	for _, key := range exp.Parts {
		body, ok := bodies[key]
		if !ok {
			continue
		}
		errs = append(errs, s.KV.PutTTL(ctx, key, body, ttl))
	}
	return errors.Join(errs...)
}

// Cancel removes an export's manifest; the parts expire on their own.
func (s *Service) Cancel(ctx context.Context, tenantID, id string) error {
	return s.KV.Delete(ctx, manifestKey(tenantID, id))
}
