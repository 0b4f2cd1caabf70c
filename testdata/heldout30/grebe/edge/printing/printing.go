//go:build js && wasm

// Package printing charges printing credits and releases jobs to the site
// printers.
package printing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/grebe/edge/kvadapter"
	"example.com/grebe/internal/config"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/jobs"
	"example.com/grebe/internal/store"
)

// ErrNoAccount is returned for members without a credit balance.
var ErrNoAccount = errors.New("printing: no credit account")

// Printer talks to a site printer through the site gateway.
type Printer interface {
	Send(ctx context.Context, printer string, job domain.PrintJob, fromPage, toPage int) error
}

// Service charges credits and releases jobs.
type Service struct {
	raw     *kvadapter.Adapter
	st      store.Store
	ns      *kv.Namespace
	q       *jobs.Queue
	printer Printer
	cfg     config.Config
	now     func() time.Time
}

// New builds the service. st is the instrumented port over the same
// namespace raw reads from.
func New(raw *kvadapter.Adapter, st store.Store, q *jobs.Queue, p Printer, cfg config.Config) *Service {
	return &Service{raw: raw, st: st, ns: raw.Namespace(), q: q, printer: p, cfg: cfg, now: time.Now}
}

func creditKey(m domain.MemberID) string { return "print-credits:" + string(m) }

// Charge takes the job's cost from the member's balance.
func (s *Service) Charge(ctx context.Context, job domain.PrintJob) error {
	key := creditKey(job.Member)
	raw, err := s.raw.RawString(key)
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return ErrNoAccount
	}
	bal, err := strconv.Atoi(raw)
	if err != nil {
		return fmt.Errorf("printing: balance of %s: %w", job.Member, err)
	}
	if bal < job.Cost() {
		return domain.ErrInsufficientCredit
	}
	return s.st.Put(ctx, key, []byte(strconv.Itoa(bal-job.Cost())), store.PutOptions{}) // EXPECT kvcounter
}

// SetBalance stores the balance the billing backend computed after a
// purchase; the backend's ledger is the source of truth.
func (s *Service) SetBalance(ctx context.Context, m domain.MemberID, credits int) error {
	return s.st.Put(ctx, creditKey(m), []byte(strconv.Itoa(credits)), store.PutOptions{})
}

// progress is what the print-status screen shows.
type progress struct {
	Job     string `json:"job"`
	Printed int    `json:"printed"`
	Total   int    `json:"total"`
}

// Release queues the job for printing in chunks of ten pages and records a
// receipt once queued.
func (s *Service) Release(ctx context.Context, job domain.PrintJob) error {
	if err := s.Charge(ctx, job); err != nil {
		return err
	}
	statusKey := "printer:" + job.Printer + ":status"
	err := s.q.Push("print:"+job.ID, func(ctx context.Context) error {
		for from := 1; from <= job.Pages; from += 10 {
			to := min(from+9, job.Pages)
			if err := s.printer.Send(ctx, job.Printer, job, from, to); err != nil {
				return err
			}
			b, _ := json.Marshal(progress{Job: job.ID, Printed: to, Total: job.Pages})
			if err := s.st.Put(ctx, statusKey, b, store.PutOptions{TTL: time.Hour}); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.receipt(job)
}

// receipt keeps a record of the job for the member's statement.
func (s *Service) receipt(job domain.PrintJob) error {
	b, err := json.Marshal(struct {
		domain.PrintJob
		At time.Time `json:"at"`
	}{job, s.now().UTC()})
	if err != nil {
		return err
	}
	key := "print-receipt:" + string(job.Member) + ":" + job.ID
	return s.ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(s.cfg.PrintReceiptRetention)}) // EXPECT kvttl
}
