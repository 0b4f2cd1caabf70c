// Package reports builds invoice exports and statements for partners.
package reports

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"path"
	"strconv"
	"sync"
	"time"

	"example.com/tundra/internal/storage"
	"example.com/tundra/internal/tenant"
)

// Invoice is the full invoice body.
type Invoice struct {
	ID          string    `json:"id" xml:"id,attr"`
	Month       string    `json:"month" xml:"month"`
	AmountCents int64     `json:"amount_cents" xml:"amount_cents"`
	Currency    string    `json:"currency" xml:"currency"`
	Status      string    `json:"status" xml:"status"`
	Lines       []Line    `json:"lines" xml:"line"`
	IssuedAt    time.Time `json:"issued_at" xml:"issued_at"`
}

// Line is one invoice line.
type Line struct {
	SKU         string `json:"sku" xml:"sku"`
	Units       int64  `json:"units" xml:"units"`
	AmountCents int64  `json:"amount_cents" xml:"amount_cents"`
}

// Exporter reads invoices from the billing namespace and writes exports to
// the archive namespace.
type Exporter struct {
	Billing  storage.Store
	Archive  storage.Store
	MaxPages int
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func invoicePrefix(month string) string { return path.Join("invoice", month) + "/" }

// summaries walks the month's invoices, reading only key metadata.
func (e *Exporter) summaries(ctx context.Context, st storage.Store, month string) ([]Invoice, error) {
	var out []Invoice
	q := storage.ListQuery{Prefix: invoicePrefix(month), Limit: 1000}
	for page := 0; page < e.MaxPages; page++ {
		p, err := st.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			out = append(out, fromMetadata(month, path.Base(k.Name), k.Metadata))
		}
		if p.Complete {
			return out, nil
		}
		q.Cursor = p.Cursor
	}
	return out, fmt.Errorf("reports: more than %d pages of invoices for %s", e.MaxPages, month)
}

func fromMetadata(month, id string, m map[string]any) Invoice {
	inv := Invoice{ID: id, Month: month}
	if v, ok := m["amount_cents"].(float64); ok {
		inv.AmountCents = int64(v)
	}
	inv.Currency, _ = m["currency"].(string)
	inv.Status, _ = m["status"].(string)
	return inv
}

// InvoiceCSV exports the month as gzipped CSV into the archive and returns
// the archive key.
func (e *Exporter) InvoiceCSV(ctx context.Context, tenantID, month string) (string, error) {
	invs, err := e.summaries(ctx, tenant.Scope(e.Billing, tenantID), month)
	if err != nil {
		return "", err
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)

	zw := gzip.NewWriter(buf)
	cw := csv.NewWriter(zw)
	_ = cw.Write([]string{"invoice", "month", "amount", "currency", "status"})
	for _, inv := range invs {
		amount := strconv.FormatFloat(float64(inv.AmountCents)/100, 'f', 2, 64)
		_ = cw.Write([]string{inv.ID, inv.Month, amount, inv.Currency, inv.Status})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	key := path.Join("exports", tenantID, month+".csv.gz")
	err = e.Archive.Put(ctx, key, buf.Bytes(), storage.WriteOpts{
		TTL:      90 * 24 * time.Hour,
		Metadata: map[string]any{"tenant": tenantID, "month": month, "rows": len(invs), "notice": exportNotice}, // EXPECT kvlimits
	})
	return key, err
}

// Statement is the XML document some partners' ERPs import.
type Statement struct {
	XMLName  xml.Name  `xml:"statement"`
	Tenant   string    `xml:"tenant,attr"`
	Month    string    `xml:"month,attr"`
	Total    int64     `xml:"total_cents"`
	Invoices []Invoice `xml:"invoice"`
}

// StatementXML renders the month's statement.
func (e *Exporter) StatementXML(ctx context.Context, tenantID, month string) ([]byte, error) {
	st := tenant.Scope(e.Billing, tenantID)
	p, err := st.List(ctx, storage.ListQuery{Prefix: invoicePrefix(month), Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	s := Statement{Tenant: tenantID, Month: month}
	for _, k := range p.Keys {
		inv := fromMetadata(month, path.Base(k.Name), k.Metadata)
		s.Total += inv.AmountCents
		s.Invoices = append(s.Invoices, inv)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// InvoiceDetails returns full invoice bodies (with lines) for the month.
func (e *Exporter) InvoiceDetails(ctx context.Context, tenantID, month string) ([]Invoice, error) {
	st := tenant.Scope(e.Billing, tenantID)
	var out []Invoice
	q := storage.ListQuery{Prefix: invoicePrefix(month), Limit: 500}
	for page := 0; page < e.MaxPages; page++ {
		p, err := st.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			raw, err := st.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			var inv Invoice
			if err := json.Unmarshal(raw, &inv); err != nil {
				return nil, err
			}
			out = append(out, inv)
		}
		if p.Complete {
			break
		}
		q.Cursor = p.Cursor
	}
	return out, nil
}
