package billing

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// allFeatureCodes lists every feature code in catalogue order. The edge uses
// the matrix key to tell whether its copy of the catalogue is current.
const allFeatureCodes = "invoices,portal,metered,dunning,sso,audit,scim,webhooks-v2,usage-alerts,revenue-recognition," +
	"multi-currency,tax-automation,quotes,credit-notes,prorations,coupons,promo-codes,trials,pause-collection," +
	"customer-balance,payment-links,hosted-invoices,invoice-pdf-branding,net-terms,purchase-orders,approvals," +
	"seat-management,entitlement-api,plan-migrations,grandfathering,sandbox-accounts,data-export,warehouse-sync," +
	"salesforce-sync,hubspot-sync,netsuite-sync,quickbooks-sync,xero-sync,slack-alerts,discord-alerts," +
	"custom-domains,white-label-portal,sla-99-95,priority-support,dedicated-csm,audit-log-streaming," +
	"ip-allowlist,role-based-access,custom-roles,sso-enforcement,session-policies,regional-data-residency"

const featureMatrixKey = "catalog:feature-matrix:v3:" + allFeatureCodes // EXPECT kvlimits

// planTermsNotice is shown next to every plan in the portal.
const planTermsNotice = "Plans renew automatically at the end of each billing period unless cancelled from the portal " +
	"before the renewal date. Seats added during a period are prorated to the day and appear on the next invoice. " +
	"Seats removed during a period are credited to the customer balance and applied to future invoices; they are " +
	"not refunded to the original payment method. Metered usage is billed in arrears at the rates in force when the " +
	"usage was recorded. Annual plans may be upgraded at any time and the unused portion of the current term is " +
	"credited; downgrades take effect at the next renewal. Taxes are calculated from the billing address on file and " +
	"may change if that address changes. Invoices unpaid 30 days after the due date may lead to suspension of paid " +
	"features after three reminders. Promotional credits expire twelve months after they are granted and have no " +
	"cash value. Prices are exclusive of VAT, GST and sales tax unless stated otherwise. Enterprise agreements " +
	"supersede these terms where they conflict. hornbill may change list prices with 30 days' notice by e-mail."

// receiptCacheTTL keeps rendered receipts for a week.
const receiptCacheTTL = 7 * 24 * time.Hour

// CatalogPublisher writes the plan catalogue that the edge and the portal
// read. It talks to the SDK directly because it needs metadata on each key.
type CatalogPublisher struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

// NewCatalogPublisher returns a publisher for the catalogue namespace.
func NewCatalogPublisher(client *cloudflare.Client, accountID, namespaceID string) *CatalogPublisher {
	return &CatalogPublisher{client: client, accountID: accountID, namespaceID: namespaceID}
}

// Plan is one sellable plan.
type Plan struct {
	Name     string   `json:"name"`
	PriceID  string   `json:"price_id"`
	Monthly  int64    `json:"monthly"`
	Features []string `json:"features"`
}

// Publish writes each plan with a short summary in its metadata, so that the
// pricing page can be built from one list call.
func (p *CatalogPublisher) Publish(ctx context.Context, plans []Plan) error {
	for _, pl := range plans {
		b, _ := json.Marshal(pl)
		_, err := p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, "plan:"+pl.Name, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(p.accountID),
			Value:     cloudflare.F(string(b)),
			Metadata: cloudflare.F[any](map[string]any{
				"name":    pl.Name,
				"monthly": pl.Monthly,
				"terms":   planTermsNotice, // EXPECT kvlimits
			}),
		})
		if err != nil {
			return err
		}
	}
	_, err := p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, featureMatrixKey, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.accountID),
		Value:     cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
	})
	return err
}

// CacheReceipt stores a rendered receipt for the portal's download link.
func (p *CatalogPublisher) CacheReceipt(ctx context.Context, invoiceID string, html []byte) error {
	_, err := p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, "receipt:html:"+invoiceID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.accountID),
		Value:         cloudflare.F(string(html)),
		ExpirationTTL: cloudflare.F(float64(receiptCacheTTL)), // EXPECT kvttl
	})
	return err
}

// CachePlanSummary stores the small pricing summary with a one-day TTL.
func (p *CatalogPublisher) CachePlanSummary(ctx context.Context, summary []byte) error {
	_, err := p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, "pricing:summary", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.accountID),
		Value:         cloudflare.F(string(summary)),
		ExpirationTTL: cloudflare.F(receiptCacheTTL.Seconds() / 7),
		Metadata:      cloudflare.F[any](map[string]any{"bytes": len(summary)}),
	})
	return err
}

// RecentEvents returns the newest processed Stripe event keys for the ops
// dashboard, one small page at a time.
func (s *Service) RecentEvents(ctx context.Context, cursor string) ([]string, string, error) {
	keys, next, err := s.kv.Page(ctx, "stripe:evt:", cursor,
		5) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(keys))
	for n, k := range keys {
		names[n] = k.Name
	}
	return names, next, nil
}
