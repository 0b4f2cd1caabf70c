// Package legacykv is the KV code of the v1 invoicing service, which still
// reserves invoice numbers and publishes reports. It uses the older
// cloudflare-go v2 client and is kept until the v1 tenants migrate.
package legacykv

import (
	"context"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// Service is the v1 KV client.
type Service struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

// New returns a Service.
func New(token, accountID, namespaceID string) *Service {
	return &Service{
		api:         cloudflare.NewClient(option.WithAPIToken(token)),
		accountID:   accountID,
		namespaceID: namespaceID,
	}
}

const (
	blockSize      = 20_000
	holdSeconds    = 30
	reservationTTL = 15 * time.Minute
)

// ReserveBlock publishes a block of invoice numbers that v1 Workers can
// hand out offline. Each number maps to the tenant that owns it.
func (s *Service) ReserveBlock(ctx context.Context, tenant string, first int) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, blockSize)
	for i := range blockSize {
		n := first + i
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("invno:%s:%08d", tenant, n)),
			Value: cloudflare.F(tenant),
		})
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	return err
}

// HoldNumbers marks numbers as held while a draft invoice is open in the
// v1 editor.
func (s *Service) HoldNumbers(ctx context.Context, tenant string, numbers []int) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(numbers))
	for _, n := range numbers {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("invno-hold:%s:%08d", tenant, n)),
			Value:         cloudflare.F("held"),
			ExpirationTTL: cloudflare.F(float64(holdSeconds)), // EXPECT kvttl
		})
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	return err
}

// ReserveForCheckout reserves numbers for a checkout session of the v1
// hosted page.
func (s *Service) ReserveForCheckout(ctx context.Context, tenant, checkoutID string, numbers []int) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(numbers))
	for _, n := range numbers {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("invno-checkout:%s:%08d", tenant, n)),
			Value:         cloudflare.F(checkoutID),
			ExpirationTTL: cloudflare.F(float64(int64(reservationTTL))), // EXPECT kvttl
		})
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	return err
}

// PublishStatuses writes invoice statuses for the v1 status page in
// request-sized chunks, each entry kept for a day.
func (s *Service) PublishStatuses(ctx context.Context, statuses map[string]string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(statuses))
	for id, st := range statuses {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("v1-status:" + id),
			Value:         cloudflare.F(st),
			ExpirationTTL: cloudflare.F(float64(int((24 * time.Hour).Seconds()))),
			Metadata:      cloudflare.F(map[string]any{"status": st}),
		})
	}
	for start := 0; start < len(body); start += 10_000 {
		end := min(start+10_000, len(body))
		if _, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body[start:end],
		}); err != nil {
			return fmt.Errorf("statuses %d-%d: %w", start, end, err)
		}
	}
	return nil
}

const openInvoicesQuery = `SELECT i.tenant, i.number, i.customer_id, c.legal_name, c.billing_email, i.currency, ` +
	`i.amount_due, i.amount_paid, i.due_at, i.issued_at, i.last_reminder_at, d.step AS dunning_step, d.next_at AS dunning_next_at ` +
	`FROM invoices i JOIN customers c ON c.id = i.customer_id AND c.tenant = i.tenant ` +
	`LEFT JOIN dunning_steps d ON d.invoice_id = i.id AND d.tenant = i.tenant AND NOT d.projected ` +
	`WHERE i.status IN ('open', 'overdue', 'partially_paid') AND i.deleted_at IS NULL AND i.legacy_v1 = true ` +
	`ORDER BY i.due_at ASC, i.number ASC`

// PublishOpenInvoicesReport caches the v1 open-invoices report; the v1
// Worker looks the report up by its query text.
func (s *Service) PublishOpenInvoicesReport(ctx context.Context, csv string, rows int) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespaceID, "report:"+openInvoicesQuery, kv.NamespaceValueUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(csv),
		Metadata:  cloudflare.F(`{"rows":` + strconv.Itoa(rows) + `}`),
	})
	return err
}
