// Package payouts tracks what the festival owes food and merch vendors.
package payouts

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/tamarack/internal/platform/repo"
	"example.com/tamarack/internal/platform/store"
)

// Ledger keeps each vendor's running balance in cents.
type Ledger interface {
	Balance(ctx context.Context, vendor string) (int64, error)
	SetBalance(ctx context.Context, vendor string, cents int64) error
}

// KVLedger is the Ledger over the key-value store.
type KVLedger struct{ st store.Store }

// NewKVLedger returns a KVLedger.
func NewKVLedger(st store.Store) *KVLedger { return &KVLedger{st: st} }

func balanceKey(vendor string) string { return "payout:balance:" + vendor }

// Balance implements Ledger.
func (l *KVLedger) Balance(ctx context.Context, vendor string) (int64, error) {
	raw, err := l.st.Get(ctx, balanceKey(vendor))
	if store.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(raw, 10, 64)
}

// SetBalance implements Ledger.
func (l *KVLedger) SetBalance(ctx context.Context, vendor string, cents int64) error {
	return l.st.Put(ctx, balanceKey(vendor), strconv.FormatInt(cents, 10))
}

// Statement is one settled payout.
type Statement struct {
	ID      string    `json:"id"`
	Vendor  string    `json:"vendor"`
	Cents   int64     `json:"cents"`
	Period  string    `json:"period"`
	Settled time.Time `json:"settled"`
	Note    string    `json:"note,omitempty"`
}

// Service records sales and keeps settled statements.
type Service struct {
	ledger     Ledger
	statements *repo.Repository[Statement]
	log        *slog.Logger
}

// NewService returns a Service.
func NewService(st store.Store, ledger Ledger, log *slog.Logger) *Service {
	return &Service{
		ledger:     ledger,
		statements: repo.New[Statement](st, "payout:stmt:"),
		log:        log,
	}
}

// RecordSale credits a vendor with the vendor's share of a card sale.
func (s *Service) RecordSale(ctx context.Context, vendor string, cents int64) error {
	if cents <= 0 {
		return fmt.Errorf("sale amount must be positive, got %d", cents)
	}
	bal, err := s.ledger.Balance(ctx, vendor)
	if err != nil {
		return err
	}
	return s.ledger.SetBalance(ctx, vendor, bal+cents) // EXPECT kvcounter
}

// RecordStatement stores the statement finance settled for a vendor.
func (s *Service) RecordStatement(ctx context.Context, st Statement) error {
	return s.statements.Save(ctx, st.Vendor+":"+st.Period, st)
}

// Annotate attaches a finance note to a settled statement, e.g. after a
// refund dispute.
func (s *Service) Annotate(ctx context.Context, vendor, period, note string) error {
	err := s.statements.Update(ctx, vendor+":"+period, func(st *Statement) error {
		if st.ID == "" {
			return fmt.Errorf("no statement for %s in %s", vendor, period)
		}
		st.Note = note
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("statement annotated", "vendor", vendor, "period", period)
	return nil
}
