// Package billing drafts, numbers and issues member invoices. Invoices are
// kept in KV so the edge worker can show them in the member portal.
package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"

	"example.com/alder/internal/backend/cfkv"
	"example.com/alder/internal/backend/cfparams"
	"example.com/alder/internal/domain"
	"example.com/alder/internal/storage"
)

// issuerMetadata is attached to issued invoices so the portal can render the
// legal footer from a key listing.
const issuerMetadata = `{"issuer":"Alder Coworking GmbH","register":"Amtsgericht Berlin-Charlottenburg HRB 214455 B",` +
	`"vat_id":"DE329914470","address":"Torstrasse 118, 10119 Berlin, Germany",` +
	`"bank":"IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX",` +
	`"terms":"Payment is due within fourteen days of the invoice date without deduction. Desk and room bookings are billed ` +
	`in the month in which they take place; day passes are billed on purchase. Cancellations made less than twenty-four ` +
	`hours before the start of a booking are charged in full. Late payments incur interest at nine percentage points above ` +
	`the base rate under section 288 BGB and a flat fee of forty euros. Members may dispute individual lines in writing ` +
	`within thirty days; undisputed lines remain payable. Access cards and door codes may be suspended for accounts more ` +
	`than thirty days overdue.","privacy":"We process billing data under Art. 6(1)(b) GDPR for the performance of your ` +
	`membership contract and keep invoices for ten years as required by section 147 AO. Contact privacy@alder.example ` +
	`for access, correction or erasure requests.","footer":"Thank you for working with us."}`

// ErrNotDraft is returned when changing an invoice that was already issued.
var ErrNotDraft = errors.New("billing: invoice is not a draft")

// Service manages invoices.
type Service struct {
	client *cloudflare.Client
	acct   cfparams.Account
	store  *cfkv.Store
}

// ProvideService builds the billing service on the REST adapter.
func ProvideService(st *cfkv.Store) *Service {
	return &Service{client: st.Client(), acct: st.Account(), store: st}
}

func invoiceKey(id domain.InvoiceID) string { return "invoice:" + string(id) }

// Load returns the invoice, or an error matching storage.ErrNotFound.
func (s *Service) Load(ctx context.Context, id domain.InvoiceID) (*domain.Invoice, error) {
	raw, err := s.store.Get(ctx, invoiceKey(id))
	if err != nil {
		return nil, fmt.Errorf("billing: load %s: %w", id, err)
	}
	var inv domain.Invoice
	if err := json.Unmarshal(raw, &inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

// EnsureDraft returns the ID of member's draft for month, creating it when
// there is none yet.
func (s *Service) EnsureDraft(ctx context.Context, member domain.MemberID, month string) (domain.InvoiceID, error) {
	id := domain.InvoiceID(string(member) + "-" + month)
	key := invoiceKey(id)
	if _, err := s.client.KV.Namespaces.Values.Get(ctx, s.acct.Namespace, key, s.acct.Get()); err != nil { // EXPECT kvnull
		raw, err := json.Marshal(domain.Invoice{ID: id, Member: member, Status: "draft"})
		if err != nil {
			return "", err
		}
		if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.acct.Namespace, key, s.acct.Value(string(raw), "")); err != nil { // EXPECT kvrace
			return "", err
		}
	}
	return id, nil
}

// AddLine appends a billed item to a draft.
func (s *Service) AddLine(ctx context.Context, id domain.InvoiceID, line domain.InvoiceLine) error {
	key := invoiceKey(id)
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.acct.Namespace, key, s.acct.Get())
	if err != nil {
		return fmt.Errorf("billing: add line to %s: %w", id, err)
	}
	var inv domain.Invoice
	err = json.NewDecoder(res.Body).Decode(&inv)
	res.Body.Close()
	if err != nil {
		return err
	}
	if inv.Status != "draft" {
		return ErrNotDraft
	}
	inv.Lines = append(inv.Lines, line)
	raw, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.acct.Namespace, key, s.acct.Value(string(raw), "")) // EXPECT kvrace
	return err
}

// nextNumber hands out the next invoice number of the year.
func (s *Service) nextNumber(ctx context.Context, year int) (int64, error) {
	key := "invoice:seq:" + strconv.Itoa(year)
	var seq int64
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.acct.Namespace, key, s.acct.Get())
	switch {
	case err == nil:
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return 0, rerr
		}
		seq, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	case !cfkv.IsNotFound(err):
		return 0, err
	}
	seq++
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.acct.Namespace, key, s.acct.Value(strconv.FormatInt(seq, 10), "")); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return seq, nil
}

// Issue numbers the draft and publishes the issued copy under its number.
func (s *Service) Issue(ctx context.Context, id domain.InvoiceID) (*domain.Invoice, error) {
	inv, err := s.Load(ctx, id)
	if err != nil {
		var nf *storage.NotFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("billing: no draft %s", id)
		}
		return nil, err
	}
	if inv.Status != "draft" {
		return nil, ErrNotDraft
	}
	now := time.Now()
	seq, err := s.nextNumber(ctx, now.Year())
	if err != nil {
		return nil, err
	}
	inv.Number = fmt.Sprintf("AC-%d-%05d", now.Year(), seq)
	inv.Status = "issued"
	inv.IssuedAt = now
	raw, err := json.Marshal(inv)
	if err != nil {
		return nil, err
	}
	key := domain.InvoiceNumberKey(now.Year(), seq)
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.acct.Namespace, key, s.acct.Value(string(raw), issuerMetadata)); err != nil { // EXPECT kvlimits
		return nil, err
	}
	return inv, nil
}

// CachePreview stores the rendered HTML preview of a draft briefly, while
// the member is looking at it.
func (s *Service) CachePreview(ctx context.Context, id domain.InvoiceID, html []byte) error {
	return s.store.Put(ctx, "invoice:preview:"+string(id), html, storage.PutOptions{TTL: 30 * time.Second})
}

// OpenTotal sums the member's issued invoices. Members have a few dozen
// invoices at most, so one page is expected to cover them.
func (s *Service) OpenTotal(ctx context.Context, member domain.MemberID) (int64, error) {
	prefix := "invoice:" + string(member) + "-"
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.acct.Namespace, s.acct.ListKeys(prefix, "", 1000))
	if err != nil {
		return 0, err
	}
	if page.ResultInfo.Cursor != "" {
		return 0, fmt.Errorf("billing: member %s has more than one page of invoices", member)
	}
	var total int64
	for _, k := range page.Result {
		res, err := s.client.KV.Namespaces.Values.Get(ctx, s.acct.Namespace, k.Name, s.acct.Get()) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		var inv domain.Invoice
		err = json.NewDecoder(res.Body).Decode(&inv)
		res.Body.Close()
		if err != nil {
			return 0, err
		}
		if inv.Status == "issued" {
			total += inv.Total()
		}
	}
	return total, nil
}
