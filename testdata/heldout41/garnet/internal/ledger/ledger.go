// Package ledger is the customer-balance service. It is newer than the rest
// of garnet and talks to KV through cloudflare-go v2.
package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// Ledger keeps per-customer balances in one namespace.
type Ledger struct {
	cf      *cloudflare.Client
	account string
	ns      string
	prefix  string
	usage   *usage
}

// New returns a ledger over namespace ns.
func New(cf *cloudflare.Client, account, ns string) *Ledger {
	return &Ledger{cf: cf, account: account, ns: ns, usage: &usage{n: map[string]int{}}}
}

// Scope returns a copy of l for one tenant.
func (l Ledger) Scope(tenantID string) *Ledger {
	l.prefix += "t:" + tenantID + ":"
	return &l
}

func (l *Ledger) get(ctx context.Context, key string) ([]byte, error) {
	res, err := l.cf.KV.Namespaces.Values.Get(ctx, l.ns, l.prefix+key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (l *Ledger) put(ctx context.Context, key string, val []byte, meta string) error {
	_, err := l.cf.KV.Namespaces.Values.Update(ctx, l.ns, l.prefix+key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(l.account),
		Metadata:  cloudflare.F(meta),
		Value:     cloudflare.F(string(val)),
	})
	return err
}

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Balance is one customer's balance for a month.
type Balance struct {
	DebitCent  int64    `json:"debit_cent"`
	CreditCent int64    `json:"credit_cent"`
	Entries    []string `json:"entries"`
}

// Post books an entry against a customer's balance for the entry's month.
func (l *Ledger) Post(ctx context.Context, customerID, entryID string, amountCent int64, at time.Time) error {
	key := "bal:" + customerID + ":" + at.Format("200601")
	var b Balance
	raw, err := l.get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &b); err != nil {
			return err
		}
	case !isMissing(err):
		return err
	}
	if amountCent < 0 {
		b.CreditCent -= amountCent
	} else {
		b.DebitCent += amountCent
	}
	b.Entries = append(b.Entries, entryID)
	out, _ := json.Marshal(b)
	return l.put(ctx, key, out, `{"kind":"balance"}`) // EXPECT kvrace
}

// OpenPeriod writes the opening balance of a month unless it exists.
func (l *Ledger) OpenPeriod(ctx context.Context, customerID string, month time.Time, carry int64) error {
	key := "open:" + customerID + ":" + month.Format("200601")
	res, err := l.cf.KV.Namespaces.Values.Get(ctx, l.ns, l.prefix+key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)}) // EXPECT kvnull
	if err == nil {
		res.Body.Close()
		return nil
	}
	return l.put(ctx, key, strconv.AppendInt(nil, carry, 10), `{"kind":"opening"}`)
}

// Customer returns a customer profile, or false when there is none.
func (l *Ledger) Customer(ctx context.Context, customerID string) (json.RawMessage, bool, error) {
	raw, err := l.get(ctx, "cust:"+customerID)
	if isMissing(err) {
		return nil, false, nil
	}
	return raw, err == nil, err
}

// Customers returns the IDs of the tenant's customers.
func (l *Ledger) Customers(ctx context.Context) ([]string, error) {
	page, err := l.cf.KV.Namespaces.Keys.List(ctx, l.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(l.account),
		Prefix:    cloudflare.F(l.prefix + "cust:"),
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, k.Name[len(l.prefix)+len("cust:"):])
	}
	return ids, nil
}

// Reconcile returns every balance key of the tenant for the nightly check.
func (l *Ledger) Reconcile(ctx context.Context) ([]string, error) {
	iter := l.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, l.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(l.account),
		Prefix:    cloudflare.F(l.prefix + "bal:"),
		Limit:     cloudflare.F(1000.0),
	})
	var keys []string
	for iter.Next() {
		keys = append(keys, iter.Current().Name)
	}
	return keys, iter.Err()
}

// Sample returns up to n balance keys for the dashboard's spot check.
func (l *Ledger) Sample(ctx context.Context, n int) ([]string, error) {
	iter := l.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, l.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(l.account),
		Prefix:    cloudflare.F(l.prefix + "bal:"),
		Limit:     cloudflare.F(float64(min(n, 1000))),
	})
	keys := make([]string, 0, n)
	for len(keys) < n && iter.Next() {
		keys = append(keys, iter.Current().Name)
	}
	return keys, iter.Err()
}

// Page returns one page of open-period keys with the cursor for the next.
func (l *Ledger) Page(ctx context.Context, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(l.account), Prefix: cloudflare.F(l.prefix + "open:"), Limit: cloudflare.F(2000.0)} // EXPECT kvlimits
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := l.cf.KV.Namespaces.Keys.List(ctx, l.ns, params)
	if err != nil {
		return nil, "", err
	}
	keys := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		keys = append(keys, k.Name)
	}
	return keys, page.ResultInfo.Cursor, nil
}

const holdSeconds = 45

// Hold reserves an amount while a card payment is authorised.
func (l *Ledger) Hold(ctx context.Context, customerID, paymentID string, amountCent int64) error {
	_, err := l.cf.KV.Namespaces.Bulk.Update(ctx, l.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(l.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(l.prefix + "hold:" + customerID + ":" + paymentID),
			Value:         cloudflare.F(strconv.FormatInt(amountCent, 10)),
			ExpirationTTL: cloudflare.F[float64](holdSeconds), // EXPECT kvttl
		}},
	})
	return err
}

// ClosePeriod locks a month against new postings until the books close.
func (l *Ledger) ClosePeriod(ctx context.Context, month time.Time, closesAt time.Time) error {
	_, err := l.cf.KV.Namespaces.Bulk.Update(ctx, l.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(l.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F(l.prefix + "lock:" + month.Format("200601")),
			Value:      cloudflare.F(closesAt.UTC().Format(time.RFC3339)),
			Expiration: cloudflare.F(float64(closesAt.UnixMilli())), // EXPECT kvttl
		}},
	})
	return err
}

// Snapshot stores the month-end balances of many customers in one call
// per 10,000 keys, each kept for seven years.
func (l *Ledger) Snapshot(ctx context.Context, month time.Time, balances map[string]Balance) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(balances))
	for id, b := range balances {
		raw, _ := json.Marshal(b)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(l.prefix + "snap:" + month.Format("200601") + ":" + id),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F((7 * 365 * 24 * time.Hour).Seconds()),
		})
	}
	var errs []error
	for start := 0; start < len(body); start += 10_000 {
		chunk := body[start:min(start+10_000, len(body))]
		if _, err := l.cf.KV.Namespaces.Bulk.Update(ctx, l.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(l.account), Body: chunk}); err != nil {
			errs = append(errs, fmt.Errorf("snapshot %d: %w", start, err))
		}
	}
	return errors.Join(errs...)
}

// SeedCalendar writes the fiscal calendar: one key per day for forty years.
func (l *Ledger) SeedCalendar(ctx context.Context, from time.Time) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, 366*40)
	for d := range 366 * 40 {
		day := from.AddDate(0, 0, d)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("cal:" + day.Format("2006-01-02")),
			Value: cloudflare.F(fmt.Sprintf(`{"q":%d,"weekday":%d}`, (int(day.Month())-1)/3+1, day.Weekday())),
		})
	}
	_, err := l.cf.KV.Namespaces.Bulk.Update(ctx, l.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(l.account), Body: body}) // EXPECT kvlimits
	return err
}
