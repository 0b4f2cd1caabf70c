package ledger

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

type usage struct {
	mu sync.Mutex
	n  map[string]int
}

// RecordAPICall counts a tenant's API calls this month against its plan and
// publishes the running figure for the billing page.
func (l *Ledger) RecordAPICall(ctx context.Context, tenantID string) error {
	month := time.Now().UTC().Format("200601")
	l.usage.mu.Lock()
	l.usage.n[tenantID+month]++
	n := l.usage.n[tenantID+month]
	l.usage.mu.Unlock()
	_, err := l.cf.KV.Namespaces.Values.Update(ctx, l.ns, "quota:"+tenantID+":"+month, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(l.account),
		Metadata:  cloudflare.F(`{"kind":"usage"}`),
		Value:     cloudflare.F(strconv.Itoa(n)),
	})
	return err
}

// RevokeAPIKey withdraws an integration's API token.
func (l *Ledger) RevokeAPIKey(ctx context.Context, tokenID string) error {
	_, err := l.cf.KV.Namespaces.Values.Delete(ctx, l.ns, l.prefix+"api-token:"+tokenID, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(l.account),
	})
	return err
}

// Line is one line of an imported bank statement.
type Line struct {
	Ref        string    `json:"ref"`
	CustomerID string    `json:"customer_id"`
	AmountCent int64     `json:"amount_cent"`
	BookedAt   time.Time `json:"booked_at"`
}

// Import books the lines of a bank statement and keeps the import's
// position so an interrupted import can resume.
func (l *Ledger) Import(ctx context.Context, importID string, lines []Line) error {
	for i, ln := range lines {
		if err := l.Post(ctx, ln.CustomerID, ln.Ref, ln.AmountCent, ln.BookedAt); err != nil {
			return err
		}
		pos, _ := json.Marshal(map[string]any{"line": i, "ref": ln.Ref})
		_, err := l.cf.KV.Namespaces.Values.Update(ctx, l.ns, l.prefix+"import:"+importID, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(l.account),
			Metadata:  cloudflare.F(`{"kind":"import"}`),
			Value:     cloudflare.F(string(pos)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// chartMeta describes the chart of accounts for the bookkeeping export tool,
// which reads it from the key's metadata.
const chartMeta = `{"schema":"garnet.chart.v3","currency_fields":["debit_cent","credit_cent"],` +
	`"accounts":[{"code":"1000","name":"Cash at bank","type":"asset"},{"code":"1100","name":"Accounts receivable","type":"asset"},` +
	`{"code":"1200","name":"Undeposited card settlements","type":"asset"},{"code":"1300","name":"FX clearing","type":"asset"},` +
	`{"code":"2000","name":"Accounts payable","type":"liability"},{"code":"2100","name":"Customer prepayments","type":"liability"},` +
	`{"code":"2200","name":"VAT payable","type":"liability"},{"code":"2300","name":"Refunds pending","type":"liability"},` +
	`{"code":"3000","name":"Retained earnings","type":"equity"},{"code":"4000","name":"Subscription revenue","type":"income"},` +
	`{"code":"4100","name":"Usage revenue","type":"income"},{"code":"4200","name":"Late payment fees","type":"income"},` +
	`{"code":"4300","name":"FX gains","type":"income"},{"code":"5000","name":"Payment processing fees","type":"expense"},` +
	`{"code":"5100","name":"Chargebacks","type":"expense"},{"code":"5200","name":"Bad debt written off","type":"expense"},` +
	`{"code":"5300","name":"FX losses","type":"expense"},{"code":"5400","name":"Collections agency fees","type":"expense"}],` +
	`"rounding":"half-even","fiscal_year_start":"01-01"}`

// PublishChart writes the chart of accounts for the export tool.
func (l *Ledger) PublishChart(ctx context.Context, version string) error {
	_, err := l.cf.KV.Namespaces.Values.Update(ctx, l.ns, "chart:"+version, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(l.account),
		Metadata:  cloudflare.F(chartMeta), // EXPECT kvlimits
		Value:     cloudflare.F(version),
	})
	return err
}
