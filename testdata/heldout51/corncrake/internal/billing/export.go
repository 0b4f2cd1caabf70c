// Package billing records billable lab services per clinic and produces the
// monthly export the finance team loads into the invoicing system.
package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/kvstore/cfkv6"
)

// Charge is one billable service.
type Charge struct {
	ClinicID    string `json:"clinic_id"`
	ResultID    string `json:"result_id"`
	Panel       string `json:"panel"`
	AmountCents int64  `json:"amount_cents"`
}

// RateCard is a clinic's price list.
type RateCard struct {
	Currency string           `json:"currency"`
	Panels   map[string]int64 `json:"panels"`
}

const (
	maxExportPages      = 50
	monthlyExportQuota  = 20
	defaultCurrency     = "EUR"
	statementRetention  = 400 * 24 * time.Hour
	statementNoticeText = "This statement lists laboratory services performed for your clinic during the period shown and supersedes any provisional figures shown in the portal. " +
		"Amounts are stated net of VAT; VAT is charged at the rate applicable in the country of the performing laboratory and is shown separately on the tax invoice, which follows under separate cover. " +
		"Payment is due within thirty (30) days of the statement date by bank transfer to the account stated on the invoice, quoting the statement reference in the payment remittance. " +
		"Late payments accrue interest at the statutory rate from the due date until the date of payment without further notice. " +
		"Queries about individual line items must be raised through the portal's billing contact form within sixty (60) days of the statement date; after that date the statement is deemed accepted. " +
		"Services ordered on behalf of patients covered by a public insurance scheme are billed to the scheme directly and do not appear on this statement. " +
		"Repeat analyses performed because of a laboratory error are not charged. Repeat analyses requested by the clinic, including those caused by haemolysed, clotted or insufficient samples, are charged at the standard rate. " +
		"For the terms and conditions that govern these services see the master services agreement signed at onboarding."
)

var (
	ErrExportBusy     = errors.New("billing: an export for this clinic is already running")
	ErrQuotaExhausted = errors.New("billing: monthly export quota used up")
	ErrTooManyCharges = errors.New("billing: too many charges to total from metadata")
)

// Ledger is the billing namespace.
type Ledger struct {
	client  *cloudflare.Client
	account string
	ns      string
}

// NewLedger returns a ledger bound to one namespace.
func NewLedger(client *cloudflare.Client, accountID, namespaceID string) *Ledger {
	return &Ledger{client: client, account: accountID, ns: namespaceID}
}

func chargeKey(clinicID, month, resultID string) string {
	return "bill:" + clinicID + ":" + month + ":" + resultID
}

// Record stores a charge. The amount also goes into the key's metadata so that
// totals can be computed from a listing alone.
func (l *Ledger) Record(ctx context.Context, month string, c Charge) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = l.client.KV.Namespaces.Values.Update(ctx, l.ns, chargeKey(c.ClinicID, month, c.ResultID), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(l.account),
		Value:     cloudflare.F(string(raw)),
		Metadata:  cloudflare.F[any](map[string]any{"cents": c.AmountCents, "panel": c.Panel}),
	})
	return err
}

func centsFrom(meta any) int64 {
	m, ok := meta.(map[string]any)
	if !ok {
		return 0
	}
	f, _ := m["cents"].(float64)
	return int64(f)
}

// MonthTotal sums a clinic's charges for a month from listing metadata.
func (l *Ledger) MonthTotal(ctx context.Context, clinicID, month string) (int64, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(l.account),
		Prefix:    cloudflare.F("bill:" + clinicID + ":" + month + ":"),
		Limit:     cloudflare.F(float64(config.ListPageSize)),
	}
	var total int64
	for page := 0; page < maxExportPages; page++ {
		res, err := l.client.KV.Namespaces.Keys.List(ctx, l.ns, params)
		if err != nil {
			return 0, err
		}
		for _, k := range res.Result {
			total += centsFrom(k.Metadata)
		}
		next := res.ResultInfo.Cursors.After
		if next == "" {
			return total, nil
		}
		params.Cursor = cloudflare.F(next)
	}
	return total, ErrTooManyCharges
}

// Recent returns the latest few charges for the dashboard widget, plus the
// cursor for "show more".
func (l *Ledger) Recent(ctx context.Context, clinicID, month, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(l.account),
		Prefix:    cloudflare.F("bill:" + clinicID + ":" + month + ":"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := l.client.KV.Namespaces.Keys.List(ctx, l.ns, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursors.After, nil
}

// ClinicsWithCharges lists the clinics that have a billable marker for month.
func (l *Ledger) ClinicsWithCharges(ctx context.Context, month string) ([]string, error) {
	prefix := "billable:" + month + ":"
	res, err := l.client.KV.Namespaces.Keys.List(ctx, l.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(l.account),
		Prefix:    cloudflare.F(prefix),
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		out = append(out, strings.TrimPrefix(k.Name, prefix))
	}
	return out, nil
}

func (l *Ledger) exportsUsed(ctx context.Context, clinicID, month string) int {
	resp, _ := l.client.KV.Namespaces.Values.Get(ctx, l.ns, "quota:exports:"+clinicID+":"+month, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)}) // EXPECT kvnull
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	n, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return n
}

func (l *Ledger) takeExportQuota(ctx context.Context, clinicID, month string) error {
	used := l.exportsUsed(ctx, clinicID, month)
	if used >= monthlyExportQuota {
		return ErrQuotaExhausted
	}
	_, err := l.client.KV.Namespaces.Values.Update(ctx, l.ns, "quota:exports:"+clinicID+":"+month, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter|kvrace
		AccountID:     cloudflare.F(l.account),
		Value:         cloudflare.F(strconv.Itoa(used + 1)),
		ExpirationTTL: cloudflare.F(float64(40 * 24 * 3600)),
	})
	return err
}

func (l *Ledger) lock(ctx context.Context, clinicID string) (func(), error) {
	key := "lock:billing-export:" + clinicID
	resp, err := l.client.KV.Namespaces.Values.Get(ctx, l.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	if err == nil {
		resp.Body.Close()
		return nil, ErrExportBusy
	}
	if !cfkv6.IsNotFound(err) {
		return nil, err
	}
	if _, err := l.client.KV.Namespaces.Values.Update(ctx, l.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(l.account),
		Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F(config.ExportLockTTL.Seconds()),
	}); err != nil {
		return nil, err
	}
	return func() {
		_, _ = l.client.KV.Namespaces.Values.Delete(context.WithoutCancel(ctx), l.ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(l.account)})
	}, nil
}

// Export writes a clinic's charges for month to w as JSON lines.
func (l *Ledger) Export(ctx context.Context, clinicID, month string, w io.Writer) (int, error) {
	unlock, err := l.lock(ctx, clinicID)
	if err != nil {
		return 0, err
	}
	defer unlock()
	if err := l.takeExportQuota(ctx, clinicID, month); err != nil {
		return 0, err
	}
	iter := l.client.KV.Namespaces.Keys.ListAutoPaging(ctx, l.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(l.account),
		Prefix:    cloudflare.F("bill:" + clinicID + ":" + month + ":"),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		resp, err := l.client.KV.Namespaces.Values.Get(ctx, l.ns, k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)}) // EXPECT kvlist
		if err != nil {
			return n, fmt.Errorf("billing: read %s: %w", k.Name, err)
		}
		_, err = io.Copy(w, resp.Body)
		resp.Body.Close()
		if err != nil {
			return n, err
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return n, err
		}
		n++
		if _, err := l.client.KV.Namespaces.Values.Update(ctx, l.ns, "billing:export-progress", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(l.account),
			Value:     cloudflare.F(fmt.Sprintf("%s %s %d", clinicID, month, n)),
		}); err != nil {
			return n, err
		}
	}
	return n, iter.Err()
}

// RollUp stores each clinic's month total, computed from listing metadata,
// for the finance dashboard.
func (l *Ledger) RollUp(ctx context.Context, month string, clinicIDs []string) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, clinicID := range clinicIDs {
		wg.Go(func() {
			total, err := l.MonthTotal(ctx, clinicID, month)
			if err == nil {
				_, err = l.client.KV.Namespaces.Values.Update(ctx, l.ns, "billing:total:"+clinicID+":"+month, kv.NamespaceValueUpdateParams{
					AccountID: cloudflare.F(l.account),
					Value:     cloudflare.F(strconv.FormatInt(total, 10)),
				})
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", clinicID, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (l *Ledger) addToRunningTotal(ctx context.Context, clinicID, month string, cents int64) error {
	key := "billing:running:" + clinicID + ":" + month
	var cur int64
	resp, err := l.client.KV.Namespaces.Values.Get(ctx, l.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	switch {
	case err == nil:
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if cur, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	case !cfkv6.IsNotFound(err):
		return err
	}
	_, err = l.client.KV.Namespaces.Values.Update(ctx, l.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter|kvrace
		AccountID: cloudflare.F(l.account),
		Value:     cloudflare.F(strconv.FormatInt(cur+cents, 10)),
	})
	return err
}

// RecordBatch records charges and keeps the per-clinic running totals that
// the clinic dashboard shows between monthly roll-ups.
func (l *Ledger) RecordBatch(ctx context.Context, month string, charges []Charge) error {
	byClinic := map[string]int64{}
	for _, c := range charges {
		if err := l.Record(ctx, month, c); err != nil {
			return err
		}
		byClinic[c.ClinicID] += c.AmountCents
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(byClinic))
	for clinicID, cents := range byClinic {
		wg.Go(func() {
			if err := l.addToRunningTotal(ctx, clinicID, month, cents); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// EnsureRateCard gives a clinic the default price list if it has none.
func (l *Ledger) EnsureRateCard(ctx context.Context, clinicID string, defaults RateCard) error {
	key := "ratecard:" + clinicID
	resp, err := l.client.KV.Namespaces.Values.Get(ctx, l.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)}) // EXPECT kvnull
	if err == nil {
		resp.Body.Close()
		return nil
	}
	if defaults.Currency == "" {
		defaults.Currency = defaultCurrency
	}
	raw, _ := json.Marshal(defaults)
	_, err = l.client.KV.Namespaces.Values.Update(ctx, l.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(l.account),
		Value:     cloudflare.F(string(raw)),
	})
	return err
}

// PublishStatement makes the month's statement PDF available in the portal.
func (l *Ledger) PublishStatement(ctx context.Context, clinicID, month, pdfURL string, totalCents int64) error {
	_, err := l.client.KV.Namespaces.Values.Update(ctx, l.ns, "statement:"+clinicID+":"+month, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(l.account),
		Value:         cloudflare.F(pdfURL),
		ExpirationTTL: cloudflare.F(statementRetention.Seconds()),
		Metadata: cloudflare.F[any](map[string]any{ // EXPECT kvlimits
			"total_cents": totalCents,
			"currency":    defaultCurrency,
			"notice":      statementNoticeText,
		}),
	})
	return err
}
