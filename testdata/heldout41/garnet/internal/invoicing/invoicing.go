// Package invoicing issues invoices, numbers them per customer and keeps the
// customer-facing portal settings.
package invoicing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"garnet/internal/bus"
	"garnet/internal/config"
	"garnet/internal/events"
	"garnet/internal/httpx"
	"garnet/internal/kvstore"
)

// Invoice is the stored invoice document.
type Invoice struct {
	ID         string    `json:"id"`
	Number     string    `json:"number"`
	CustomerID string    `json:"customer_id"`
	AmountCent int64     `json:"amount_cent"`
	Currency   string    `json:"currency"`
	IssuedAt   time.Time `json:"issued_at"`
	DueAt      time.Time `json:"due_at"`
}

// Numberer hands out invoice numbers for a customer.
type Numberer interface {
	Next(ctx context.Context, tenantID, customerID string) (string, error)
}

// kvSequence keeps a running number per customer in KV.
type kvSequence struct{ store kvstore.Store }

func (q kvSequence) Next(ctx context.Context, tenantID, customerID string) (string, error) {
	st := q.store.Scope("tenant:" + tenantID)
	key := "invoice-seq:" + customerID
	n := 0
	opt, err := st.Lookup(ctx, key)
	if err != nil {
		return "", err
	}
	if raw, ok := opt.Get(); ok {
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return "", fmt.Errorf("invoice sequence %s: %w", key, err)
		}
	}
	n++
	if err := st.Put(ctx, key, strconv.AppendInt(nil, int64(n), 10)); err != nil { // EXPECT kvrace|kvcounter
		return "", err
	}
	return fmt.Sprintf("%s-%05d", customerID, n), nil
}

// dated numbers are unique without coordination: date plus random suffix.
type dated struct{}

func (dated) Next(_ context.Context, _, customerID string) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%s-%s", customerID, time.Now().UTC().Format("20060102"), hex.EncodeToString(b[:])), nil
}

// NumbererFor picks the numbering scheme for a configuration mode. Live
// tenants get gap-free sequences, as their auditors require.
func NumbererFor(mode string, st kvstore.Store) Numberer {
	switch mode {
	case "live":
		return kvSequence{store: st}
	default:
		return dated{}
	}
}

// Service issues invoices.
type Service struct {
	store   kvstore.Store
	numbers Numberer
	bus     *bus.Bus
	cfg     *config.Holder
}

// NewService returns the invoicing service.
func NewService(st kvstore.Store, n Numberer, b *bus.Bus, cfg *config.Holder) *Service {
	return &Service{store: st, numbers: n, bus: b, cfg: cfg}
}

// IssueCommand is the body of POST /invoices.
type IssueCommand struct {
	TenantID   string `json:"tenant_id"`
	CustomerID string `json:"customer_id"`
	AmountCent int64  `json:"amount_cent"`
	Currency   string `json:"currency"`
	NetDays    int    `json:"net_days"`
}

var idPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func (c IssueCommand) Validate() error {
	var errs []error
	if !idPattern.MatchString(c.TenantID) || !idPattern.MatchString(c.CustomerID) {
		errs = append(errs, errors.New("tenant_id and customer_id must be 1-64 url-safe characters"))
	}
	if c.AmountCent <= 0 {
		errs = append(errs, errors.New("amount_cent must be positive"))
	}
	if len(c.Currency) != 3 {
		errs = append(errs, errors.New("currency must be an ISO 4217 code"))
	}
	if c.NetDays < 0 || c.NetDays > 120 {
		errs = append(errs, errors.New("net_days must be 0-120"))
	}
	return errors.Join(errs...)
}

// Issue numbers and stores an invoice and announces it.
func (s *Service) Issue(ctx context.Context, cmd IssueCommand) (Invoice, error) {
	num, err := s.numbers.Next(ctx, cmd.TenantID, cmd.CustomerID)
	if err != nil {
		return Invoice{}, err
	}
	now := time.Now().UTC()
	inv := Invoice{ID: newID(), Number: num, CustomerID: cmd.CustomerID, AmountCent: cmd.AmountCent, Currency: cmd.Currency, IssuedAt: now, DueAt: now.AddDate(0, 0, cmd.NetDays)}
	st := s.store.Scope("tenant:" + cmd.TenantID)
	if err := st.PutJSON(ctx, invoiceKey(inv), inv, 0); err != nil {
		return Invoice{}, err
	}
	return inv, s.bus.Publish(ctx, events.InvoiceIssued{TenantID: cmd.TenantID, CustomerID: inv.CustomerID, InvoiceID: inv.ID, Number: num, AmountCent: inv.AmountCent, Currency: inv.Currency, DueAt: inv.DueAt})
}

func invoiceKey(inv Invoice) string {
	return fmt.Sprintf("inv:%s:%s:%s", inv.CustomerID, inv.IssuedAt.Format("200601"), inv.ID)
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// IssueHandler serves POST /invoices.
func (s *Service) IssueHandler(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[IssueCommand](r)
	if err != nil {
		return err
	}
	inv, err := s.Issue(r.Context(), cmd)
	if err != nil {
		return err
	}
	return httpx.JSON(w, inv)
}

// PortalCommand is the body of POST /portal/claim.
type PortalCommand struct {
	TenantID string `json:"tenant_id"`
	Slug     string `json:"slug"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

func (c PortalCommand) Validate() error {
	if !slugPattern.MatchString(c.Slug) {
		return errors.New("slug must be 3-41 lowercase letters, digits or dashes")
	}
	return nil
}

// ClaimPortal reserves a billing-portal subdomain for a tenant.
func (s *Service) ClaimPortal(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[PortalCommand](r)
	if err != nil {
		return err
	}
	key := "portal-slug:" + cmd.Slug
	opt, err := s.store.Lookup(r.Context(), key)
	if err != nil {
		return err
	}
	if owner, ok := opt.Get(); ok && string(owner) != cmd.TenantID {
		return httpx.Error(http.StatusConflict, "that portal address is taken")
	}
	if err := s.store.Put(r.Context(), key, []byte(cmd.TenantID)); err != nil { // EXPECT kvrace
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

// AppendNote adds a line to a customer's account notes.
func (s *Service) AppendNote(ctx context.Context, tenantID, customerID, author, line string) error {
	stamp := time.Now().UTC().Format(time.DateTime)
	return s.store.Scope("tenant:"+tenantID).Update(ctx, "notes:"+customerID, func(old []byte) ([]byte, error) {
		return fmt.Appendf(old, "%s %s: %s\n", stamp, author, line), nil
	})
}
