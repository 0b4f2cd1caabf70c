package invoicing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"garnet/internal/config"
	"garnet/internal/kvstore"
	"garnet/internal/result"
)

// Statement is a customer's monthly statement.
type Statement struct {
	CustomerID string    `json:"customer_id"`
	Month      string    `json:"month"`
	Invoices   []Invoice `json:"invoices"`
	TotalCent  int64     `json:"total_cent"`
	BuiltAt    time.Time `json:"built_at"`
}

// Statements builds monthly statements from the stored invoices.
type Statements struct {
	store kvstore.Store
	cfg   *config.Holder
}

// NewStatements returns the statement builder.
func NewStatements(st kvstore.Store, cfg *config.Holder) *Statements {
	return &Statements{store: st, cfg: cfg}
}

type progress struct {
	Done  int    `json:"done"`
	Total int    `json:"total"`
	Last  string `json:"last"`
}

// RunMonth builds the statements of every customer of a tenant for month.
func (g *Statements) RunMonth(ctx context.Context, tenantID string, customers []string, month time.Time) error {
	st := g.store.Scope("tenant:" + tenantID)
	results := make([]result.Result[Statement], 0, len(customers))
	for i, c := range customers {
		stmt, err := g.Build(ctx, tenantID, c, month)
		results = append(results, result.Result[Statement]{Val: stmt, Err: err})
		p := progress{Done: i + 1, Total: len(customers), Last: c}
		if err := st.PutJSON(ctx, "statements:progress", p, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	summary := map[string]any{"month": month.Format("2006-01"), "customers": len(customers), "finished_at": time.Now().UTC()}
	if err := st.PutJSON(ctx, "statements:last-run", summary, 0); err != nil {
		return err
	}
	return errors.Join(result.Errs(results)...)
}

// Build assembles one customer's statement and stores it in the statement
// namespace.
func (g *Statements) Build(ctx context.Context, tenantID, customerID string, month time.Time) (Statement, error) {
	cfg := g.cfg.Load()
	st := g.store.Scope("tenant:" + tenantID)
	stmt := Statement{CustomerID: customerID, Month: month.Format("2006-01"), BuiltAt: time.Now().UTC()}
	prefix := fmt.Sprintf("inv:%s:%s:", customerID, month.Format("200601"))
	cursor := ""
	for range cfg.ListPageBudget {
		page, err := st.List(ctx, prefix, cursor, 1000)
		if err != nil {
			return stmt, err
		}
		for _, k := range page.Keys {
			var inv Invoice
			if err := st.GetJSON(ctx, strings.TrimPrefix(k.Name, st.Key("")), &inv); err != nil { // EXPECT kvlist
				return stmt, err
			}
			stmt.Invoices = append(stmt.Invoices, inv)
			stmt.TotalCent += inv.AmountCent
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	out := st.WithNamespace(cfg.StatementNamespace)
	return stmt, out.PutJSON(ctx, "stmt:"+customerID+":"+stmt.Month, stmt, 0)
}

// Recent returns one page of a tenant's statement keys for the console,
// with the cursor for the next page.
func (g *Statements) Recent(ctx context.Context, tenantID, cursor string) (kvstore.Page, error) {
	cfg := g.cfg.Load()
	out := g.store.Scope("tenant:" + tenantID).WithNamespace(cfg.StatementNamespace)
	return out.List(ctx, "stmt:", cursor, 100)
}

// Archive copies a tenant's statements for a year into cold keys in one bulk
// write per chunk, with metadata so the archive can be listed without reads.
func (g *Statements) Archive(ctx context.Context, tenantID string, stmts []Statement) error {
	cfg := g.cfg.Load()
	out := g.store.Scope("tenant:" + tenantID).WithNamespace(cfg.StatementNamespace)
	entries := make([]kvstore.Entry, 0, len(stmts))
	for _, s := range stmts {
		raw := fmt.Appendf(nil, `{"customer_id":%q,"month":%q,"total_cent":%d}`, s.CustomerID, s.Month, s.TotalCent)
		entries = append(entries, kvstore.Entry{
			Key:   "archive:" + s.Month + ":" + s.CustomerID,
			Value: raw,
			TTL:   400 * 24 * time.Hour,
			Meta:  map[string]any{"total_cent": s.TotalCent, "n": len(s.Invoices)},
		})
	}
	return out.PutMany(ctx, entries)
}
