// Package billing opens and closes tenants' billing periods and exports
// invoices.
package billing

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"example.com/tollgate/internal/authority"
	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/storage"
)

const (
	periodPrefix  = "period:"
	invoicePrefix = "invoice:"
)

// Service manages billing periods.
type Service struct {
	st       storage.Store
	db       *authority.DB
	grace    time.Duration
	maxPages int
	log      *slog.Logger
}

// New wires the service.
func New(st storage.Store, db *authority.DB, grace time.Duration, maxPages int, log *slog.Logger) *Service {
	return &Service{st: st, db: db, grace: grace, maxPages: maxPages, log: log}
}

func periodKey(t domain.TenantID, label string) string { return periodPrefix + label + ":" + string(t) }

// Open starts a monthly period at start. The record lives until the grace
// period after its end has passed.
func (s *Service) Open(ctx context.Context, tenant domain.TenantID, start time.Time) (domain.BillingPeriod, error) {
	p := domain.BillingPeriod{TenantID: tenant, Start: start, End: start.AddDate(0, 1, 0), Status: domain.PeriodOpen}
	if err := p.Validate(); err != nil {
		return p, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	ttl := time.Until(p.End.Add(s.grace))
	err = s.st.Put(ctx, periodKey(tenant, p.Key()), raw, storage.PutOptions{
		ExpirationTTL: int64(ttl.Seconds()), // EXPECT kvttl
		Metadata:      map[string]any{"tenant": string(tenant), "end": p.End.Unix()},
	})
	return p, err
}

// ClosePeriods is the nightly cron: every period whose end has passed is
// invoiced in the database, its invoice published and the period removed.
// It processes at most maxPages pages per run and returns the cursor to
// resume from.
func (s *Service) ClosePeriods(ctx context.Context, now time.Time, cursor string) (string, error) {
	closed := 0
	for range s.maxPages {
		page, err := s.st.List(ctx, storage.ListOptions{Prefix: periodPrefix, Cursor: cursor, Limit: 500})
		if err != nil {
			return cursor, err
		}
		for _, k := range page.Keys {
			raw, err := s.st.Get(ctx, k.Name) // EXPECT kvlist
			if storage.IsNotFound(err) {
				continue
			}
			if err != nil {
				return cursor, err
			}
			var p domain.BillingPeriod
			if err := json.Unmarshal(raw, &p); err != nil {
				s.log.WarnContext(ctx, "skipping undecodable period", "key", k.Name, "err", err)
				continue
			}
			if now.Before(p.End) {
				continue
			}
			if err := s.invoice(ctx, p); err != nil {
				return cursor, err
			}
			closed++
			if err := s.st.Put(ctx, "billing:close-checkpoint", []byte(k.Name), storage.PutOptions{}); err != nil { // EXPECT kvhotkey
				return cursor, err
			}
		}
		if page.Complete {
			s.log.InfoContext(ctx, "billing close finished", "closed", closed)
			return "", nil
		}
		cursor = page.Cursor
	}
	return cursor, nil
}

func (s *Service) invoice(ctx context.Context, p domain.BillingPeriod) error {
	label := p.Key()
	calls, err := s.db.Usage(ctx, p.TenantID, label)
	if err != nil {
		return err
	}
	number, err := s.db.IssueInvoice(ctx, p.TenantID, label)
	if err != nil {
		return err
	}
	inv := map[string]any{"number": number, "tenant": string(p.TenantID), "period": label, "calls": calls}
	raw, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	if err := s.st.Put(ctx, invoicePrefix+label+":"+string(p.TenantID), raw, storage.PutOptions{Metadata: inv}); err != nil {
		return err
	}
	return s.st.Delete(ctx, periodKey(p.TenantID, label))
}

// ExportInvoices writes every published invoice as CSV, reading only key
// metadata.
func (s *Service) ExportInvoices(ctx context.Context, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"number", "tenant", "period", "calls"}); err != nil {
		return err
	}
	cursor := ""
	for {
		page, err := s.st.List(ctx, storage.ListOptions{Prefix: invoicePrefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			md := k.Metadata
			row := []string{fmt.Sprint(md["number"]), fmt.Sprint(md["tenant"]), fmt.Sprint(md["period"]), fmt.Sprint(md["calls"])}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	cw.Flush()
	return cw.Error()
}
