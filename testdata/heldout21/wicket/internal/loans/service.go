// Package loans handles checkouts, renewals and holds at the edge. The ILS
// is authoritative; KV holds read-shaped projections for kiosks and the app.
package loans

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/wicket/internal/domain/catalog"
	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/kvport"
	"example.com/wicket/internal/kvstore"
	"example.com/wicket/internal/tally"
)

// ILS is the integrated library system behind the edge.
type ILS interface {
	Checkout(ctx context.Context, p patron.ID, c catalog.CopyID) (catalog.Loan, error)
	Checkin(ctx context.Context, c catalog.CopyID) error
	Title(ctx context.Context, isbn catalog.ISBN) (catalog.Title, error)
	ActiveLoans(ctx context.Context, p patron.ID) ([]catalog.Loan, error)
	Patron(ctx context.Context, p patron.ID) (patron.Patron, error)
}

var (
	ErrLoanLimit     = errors.New("loans: loan limit reached")
	ErrNotRenewable  = errors.New("loans: no renewals left")
	ErrUnknownLoan   = errors.New("loans: no such loan")
	ErrAlreadyQueued = errors.New("loans: already in the hold queue")
	ErrBlocked       = errors.New("loans: patron is blocked")
)

// Service is the circulation use-case layer.
type Service struct {
	ils       ILS
	kv        kvport.Store
	loans     kvstore.Store[catalog.CopyID, catalog.Loan]
	titles    kvstore.Store[catalog.ISBN, catalog.Title]
	checkouts tally.Counter
	now       func() time.Time
}

// New wires a Service.
func New(ils ILS, kv kvport.Store, checkouts tally.Counter) *Service {
	return &Service{
		ils:       ils,
		kv:        kv,
		loans:     kvstore.New[catalog.CopyID, catalog.Loan](kv, "loan:"),
		titles:    kvstore.New[catalog.ISBN, catalog.Title](kv, "title:"),
		checkouts: checkouts,
		now:       time.Now,
	}
}

func patronLoansKey(p patron.ID) string { return "patron-loans:" + string(p) }

// Checkout lends a copy and refreshes the patron's loan list projection.
func (s *Service) Checkout(ctx context.Context, p patron.ID, c catalog.CopyID) (catalog.Loan, error) {
	who, err := s.ils.Patron(ctx, p)
	if err != nil {
		return catalog.Loan{}, err
	}
	if who.Blocked {
		return catalog.Loan{}, ErrBlocked
	}
	day := s.now().UTC().Format("20060102")
	n, err := s.checkouts.Add(ctx, "checkouts:"+string(p)+":"+day, 1)
	if err != nil {
		return catalog.Loan{}, err
	}
	if n > int64(who.Tier.LoanLimit()) {
		return catalog.Loan{}, ErrLoanLimit
	}
	loan, err := s.ils.Checkout(ctx, p, c)
	if err != nil {
		return catalog.Loan{}, err
	}
	if err := s.loans.Put(ctx, loan.Copy, loan); err != nil {
		return loan, err
	}
	due := fmt.Sprintf("due:%s:%s:%s", loan.DueAt.UTC().Format("20060102"), loan.Copy, p)
	if err := s.kv.Put(ctx, due, "", kvport.ExpireAt(loan.DueAt.Add(60*24*time.Hour))); err != nil {
		return loan, err
	}
	return loan, s.refreshPatronLoans(ctx, p)
}

// refreshPatronLoans rewrites the projection from the ILS.
func (s *Service) refreshPatronLoans(ctx context.Context, p patron.ID) error {
	active, err := s.ils.ActiveLoans(ctx, p)
	if err != nil {
		return err
	}
	b, err := json.Marshal(active)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, patronLoansKey(p), string(b), kvport.TTL(24*time.Hour))
}

// Renew extends the due date of a loan by one loan period.
func (s *Service) Renew(ctx context.Context, c catalog.CopyID) (catalog.Loan, error) {
	loan, ok, err := s.loans.Get(ctx, c)
	if err != nil {
		return catalog.Loan{}, err
	}
	if !ok {
		return catalog.Loan{}, ErrUnknownLoan
	}
	t, err := s.Title(ctx, loan.ISBN)
	if err != nil {
		return catalog.Loan{}, err
	}
	pol := catalog.PolicyFor(t.Format)
	if loan.Renewals >= pol.MaxRenewals {
		return loan, ErrNotRenewable
	}
	loan.Renewals++
	loan.DueAt = loan.DueAt.Add(pol.Period)
	loan.NoticedAt = nil
	if err := s.loans.Put(ctx, c, loan); err != nil { // EXPECT kvrace
		return catalog.Loan{}, err
	}
	return loan, nil
}

// Title is a read-through cache in front of the ILS bibliographic service.
func (s *Service) Title(ctx context.Context, isbn catalog.ISBN) (catalog.Title, error) {
	t, ok, err := s.titles.Get(ctx, isbn)
	if err != nil {
		return t, err
	}
	if ok {
		return t, nil
	}
	t, err = s.ils.Title(ctx, isbn)
	if err != nil {
		return t, err
	}
	return t, s.titles.Put(ctx, isbn, t, kvport.TTL(6*time.Hour))
}

// ProcessReturnChutes handles the overnight scans from each branch's return
// chute. Copies already checked in by staff are skipped.
func (s *Service) ProcessReturnChutes(ctx context.Context, scans map[catalog.BranchCode][]catalog.CopyID) (int, error) {
	done := 0
branches:
	for branch, copies := range scans {
		for _, c := range copies {
			if err := ctx.Err(); err != nil {
				return done, err
			}
			if _, ok, err := s.loans.Get(ctx, c); err != nil {
				continue branches
			} else if !ok {
				continue
			}
			if err := s.ils.Checkin(ctx, c); err != nil {
				continue branches
			}
			if err := s.loans.Delete(ctx, c); err != nil {
				return done, err
			}
			stamp := strconv.FormatInt(s.now().Unix(), 10)
			if err := s.kv.Put(ctx, "branch:"+string(branch)+":last-return", stamp); err != nil { // EXPECT kvhotkey
				return done, err
			}
			done++
		}
	}
	return done, nil
}

// policyDefaults are written once so staff can edit them in the dashboard.
var policyDefaults = map[string]string{
	"policy:loan-days:book":     "21",
	"policy:loan-days:dvd":      "7",
	"policy:loan-days:magazine": "14",
	"policy:fine-cents-per-day": "25",
}

// EnsurePolicyDefaults seeds policy keys that are not set yet.
func (s *Service) EnsurePolicyDefaults(ctx context.Context) error {
	var errs []error
	for key, def := range policyDefaults {
		if _, err := s.kv.Get(ctx, key); err != nil { // EXPECT kvnull
			if err := s.kv.Put(ctx, key, def); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
