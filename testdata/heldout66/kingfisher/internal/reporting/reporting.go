// Package reporting publishes daily order reports to KV for the BI
// dashboards. It predates the v4 migration and still uses cloudflare-go v2.
package reporting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// reportMeta tells the BI dashboard how to render a daily report without
// fetching it; the dashboard reads it from the list response.
const reportMeta = `{"schema":"kingfisher.daily.v3","title":"Daily orders","columns":[` +
	`{"id":"day","label":"Day","type":"date","format":"YYYY-MM-DD","description":"UTC calendar day the orders were placed on"},` +
	`{"id":"orders","label":"Orders","type":"int","description":"Orders placed, including those cancelled later the same day"},` +
	`{"id":"cancelled","label":"Cancelled","type":"int","description":"Orders cancelled by the customer, by support, or after three declined payments"},` +
	`{"id":"gross_cents","label":"Gross","type":"money","currency_column":"currency","description":"Sum of line totals before refunds and discounts, in minor units"},` +
	`{"id":"refund_cents","label":"Refunds","type":"money","currency_column":"currency","description":"Refunds issued for orders of this day, whenever they were issued"},` +
	`{"id":"currency","label":"Currency","type":"iso4217","description":"Settlement currency; one report row per currency"},` +
	`{"id":"customers","label":"Customers","type":"int","description":"Distinct customers with at least one order"},` +
	`{"id":"notifications","label":"Notifications","type":"int","description":"Notifications sent about these orders on all channels"}],` +
	`"owner":"data-platform@kingfisher.example","runbook":"https://wiki.kingfisher.example/runbooks/reporting/daily-orders"}`

// OrderRow is one order as exported from the orders database.
type OrderRow struct {
	OrderID     string
	CustomerID  string
	Currency    string
	GrossCents  int64
	RefundCents int64
	Cancelled   bool
	PlacedAt    time.Time
}

// Totals is a day's report for one currency.
type Totals struct {
	Day         string `json:"day"`
	Currency    string `json:"currency"`
	Orders      int    `json:"orders"`
	Cancelled   int    `json:"cancelled"`
	GrossCents  int64  `json:"gross_cents"`
	RefundCents int64  `json:"refund_cents"`
	Customers   int    `json:"customers"`
}

// Reporter writes reports to one namespace.
type Reporter struct {
	client    *cf.Client
	accountID string
	nsID      string
	retention time.Duration
	log       *slog.Logger
}

// New returns a Reporter. Per-customer summaries are kept for retention.
func New(apiToken, accountID, nsID string, retention time.Duration, log *slog.Logger) *Reporter {
	return &Reporter{
		client:    cf.NewClient(option.WithAPIToken(apiToken)),
		accountID: accountID,
		nsID:      nsID,
		retention: retention,
		log:       log,
	}
}

func dailyKey(day string) string { return "report:daily:" + day }

// PublishDaily aggregates rows and writes the day's report and the
// per-customer summaries.
func (r *Reporter) PublishDaily(ctx context.Context, day time.Time, rows []OrderRow) error {
	d := day.UTC().Format(time.DateOnly)
	byCurrency := map[string]*Totals{}
	customers := map[string]map[string]bool{}
	perCustomer := map[string]int64{}
	for _, row := range rows {
		t, ok := byCurrency[row.Currency]
		if !ok {
			t = &Totals{Day: d, Currency: row.Currency}
			byCurrency[row.Currency] = t
			customers[row.Currency] = map[string]bool{}
		}
		t.Orders++
		if row.Cancelled {
			t.Cancelled++
		}
		t.GrossCents += row.GrossCents
		t.RefundCents += row.RefundCents
		customers[row.Currency][row.CustomerID] = true
		perCustomer[row.CustomerID] += row.GrossCents - row.RefundCents
	}
	report := make([]Totals, 0, len(byCurrency))
	for cur, t := range byCurrency {
		t.Customers = len(customers[cur])
		report = append(report, *t)
	}
	sort.Slice(report, func(i, j int) bool { return report[i].Currency < report[j].Currency })

	body, err := json.Marshal(report)
	if err != nil {
		return err
	}
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.nsID, dailyKey(d), kv.NamespaceValueUpdateParams{
		AccountID: cf.F(r.accountID),
		Metadata:  cf.F(reportMeta), // EXPECT kvlimits
		Value:     cf.F(string(body)),
	})
	if err != nil {
		return fmt.Errorf("publish %s: %w", d, err)
	}

	summaries := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(perCustomer))
	for customerID, net := range perCustomer {
		summaries = append(summaries, kv.NamespaceBulkUpdateParamsBody{
			Key:           cf.F("report:customer:" + customerID + ":" + d),
			Value:         cf.F(strconv.FormatInt(net, 10)),
			ExpirationTTL: cf.F(float64(r.retention)), // EXPECT kvttl
		})
	}
	for start := 0; start < len(summaries); start += 10_000 {
		end := min(start+10_000, len(summaries))
		if _, err := r.client.KV.Namespaces.Bulk.Update(ctx, r.nsID, kv.NamespaceBulkUpdateParams{
			AccountID: cf.F(r.accountID),
			Body:      summaries[start:end],
		}); err != nil {
			return fmt.Errorf("customer summaries %s: %w", d, err)
		}
	}
	return r.AppendAudit(ctx, d, fmt.Sprintf("published %d currencies, %d customers", len(report), len(perCustomer)))
}

const minutesPerWeek = 7 * 24 * 60

// SeedSparkline creates the per-minute slots of the live orders sparkline
// for the week starting at weekStart, so the dashboard can render empty
// minutes without a miss per slot.
func (r *Reporter) SeedSparkline(ctx context.Context, weekStart time.Time) error {
	expires := weekStart.AddDate(0, 0, 14)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, minutesPerWeek)
	for i := range minutesPerWeek {
		slot := weekStart.Add(time.Duration(i) * time.Minute)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cf.F("spark:" + slot.UTC().Format("200601021504")),
			Value:      cf.F("0"),
			Expiration: cf.F(float64(expires.UnixMilli())), // EXPECT kvttl
		})
	}
	_, err := r.client.KV.Namespaces.Bulk.Update(ctx, r.nsID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cf.F(r.accountID),
		Body:      body,
	})
	return err
}

// RecordView counts a dashboard view of a report.
func (r *Reporter) RecordView(ctx context.Context, reportID string) error {
	key := "report:" + reportID + ":views"
	resp, err := r.client.KV.Namespaces.Values.Get(ctx, r.nsID, key, kv.NamespaceValueGetParams{
		AccountID: cf.F(r.accountID),
	})
	if err != nil {
		return fmt.Errorf("read views: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	views := 0
	if len(raw) > 0 { // EXPECT kvnull
		if views, err = strconv.Atoi(strings.TrimSpace(string(raw))); err != nil {
			return fmt.Errorf("views of %s: %w", reportID, err)
		}
	}
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.nsID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter|kvrace
		AccountID: cf.F(r.accountID),
		Metadata:  cf.F("{}"),
		Value:     cf.F(strconv.Itoa(views + 1)),
	})
	return err
}

// AppendAudit adds a line to the day's publication log.
func (r *Reporter) AppendAudit(ctx context.Context, day, line string) error {
	key := "report:audit:" + day
	old := ""
	resp, err := r.client.KV.Namespaces.Values.Get(ctx, r.nsID, key, kv.NamespaceValueGetParams{
		AccountID: cf.F(r.accountID),
	})
	var apiErr *cf.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
	case err != nil:
		return err
	default:
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		old = string(b)
	}
	entry := time.Now().UTC().Format(time.RFC3339) + " " + line + "\n"
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.nsID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cf.F(r.accountID),
		Metadata:  cf.F(`{"kind":"audit"}`),
		Value:     cf.F(old + entry),
	})
	return err
}

// ListReports returns the names of all published daily reports.
func (r *Reporter) ListReports(ctx context.Context) ([]string, error) {
	iter := r.client.KV.Namespaces.Keys.ListAutoPaging(ctx, r.nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cf.F(r.accountID),
		Prefix:    cf.F("report:daily:"),
	})
	var names []string
	for iter.Next() {
		names = append(names, strings.TrimPrefix(iter.Current().Name, "report:daily:"))
	}
	return names, iter.Err()
}

// LatestPage returns one page of the newest-first report index and the
// cursor for the next one.
func (r *Reporter) LatestPage(ctx context.Context, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cf.F(r.accountID),
		Prefix:    cf.F("report:daily:"),
		Limit:     cf.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cf.F(cursor)
	}
	page, err := r.client.KV.Namespaces.Keys.List(ctx, r.nsID, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// maxExportPages bounds one export; larger ranges go through the warehouse.
const maxExportPages = 10

// Export returns the reports whose keys start with prefix.
func (r *Reporter) Export(ctx context.Context, prefix string) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	params := kv.NamespaceKeyListParams{AccountID: cf.F(r.accountID), Prefix: cf.F(prefix), Limit: cf.F(1000.0)}
	for range maxExportPages {
		page, err := r.client.KV.Namespaces.Keys.List(ctx, r.nsID, params)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			resp, err := r.client.KV.Namespaces.Values.Get(ctx, r.nsID, k.Name, kv.NamespaceValueGetParams{AccountID: cf.F(r.accountID)}) // EXPECT kvlist
			if err != nil {
				return nil, fmt.Errorf("export %s: %w", k.Name, err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return nil, err
			}
			out[k.Name] = b
		}
		if page.ResultInfo.Cursor == "" {
			return out, nil
		}
		params.Cursor = cf.F(page.ResultInfo.Cursor)
	}
	return out, fmt.Errorf("export %q: more than %d pages", prefix, maxExportPages)
}

// Prune deletes per-customer summaries of days before cutoff.
func (r *Reporter) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	params := kv.NamespaceKeyListParams{AccountID: cf.F(r.accountID), Prefix: cf.F("report:customer:")}
	var stale []string
	for {
		page, err := r.client.KV.Namespaces.Keys.List(ctx, r.nsID, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Result {
			day := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
			if t, err := time.Parse(time.DateOnly, day); err == nil && t.Before(cutoff) {
				stale = append(stale, k.Name)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cf.F(page.ResultInfo.Cursor)
	}
	for i, key := range stale {
		if _, err := r.client.KV.Namespaces.Values.Delete(ctx, r.nsID, key, kv.NamespaceValueDeleteParams{AccountID: cf.F(r.accountID)}); err != nil {
			return i, err
		}
	}
	return len(stale), nil
}
