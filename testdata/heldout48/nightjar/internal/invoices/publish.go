package invoices

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/nightjar/internal/keys"
)

// linkLifetime is how long a public "view and pay" link stays valid.
const linkLifetime = 30 * 24 * time.Hour

// standardTerms is printed under every public invoice and kept with the
// link so that the edge page can render without another lookup.
const standardTerms = "Payment is due within the period stated on this invoice. " +
	"Late payments may incur interest at the statutory rate applicable in the supplier's " +
	"jurisdiction, together with a fixed compensation for recovery costs where permitted by law. " +
	"All amounts are stated in the invoice currency and are exclusive of bank charges, which are " +
	"borne by the payer. Where the customer disputes any part of this invoice it must notify the " +
	"supplier in writing within fourteen days of the invoice date, stating the grounds of the " +
	"dispute in reasonable detail, and must pay the undisputed portion by the due date. Title to " +
	"goods supplied passes only on receipt of payment in full. The supplier may suspend services " +
	"for any account more than thirty days overdue after giving seven days' written notice. " +
	"These terms are governed by the law of the supplier's place of registration and the courts " +
	"of that place have exclusive jurisdiction over any dispute arising out of this invoice. " +
	"Questions about this invoice may be sent to the billing contact named in the header. " +
	"Please quote the invoice number on every remittance so that the payment can be allocated."

var publicLinks = keys.Key("pub")

// PublicLink is the value stored under a public link token.
type PublicLink struct {
	Tenant    string `json:"tenant"`
	InvoiceID string `json:"invoice_id"`
	Number    string `json:"number"`
}

// PublishLinks creates a public link for each invoice and returns the
// tokens by invoice ID.
func (s *Service) PublishLinks(ctx context.Context, invs []*Invoice) (map[string]string, error) {
	api, rc, ns := s.kv.Raw().API()
	tokens := make(map[string]string, len(invs))
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(invs))
	for _, inv := range invs {
		tok := linkToken()
		b, err := json.Marshal(PublicLink{Tenant: inv.Tenant, InvoiceID: inv.ID, Number: inv.Number})
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           publicLinks.With(tok).String(),
			Value:         string(b),
			ExpirationTTL: int(linkLifetime), // EXPECT kvttl
			Metadata: map[string]string{
				"number": inv.Number,
				"terms":  standardTerms, // EXPECT kvlimits
			},
		})
		tokens[inv.ID] = tok
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs}); err != nil {
		return nil, fmt.Errorf("publish links: %w", err)
	}
	return tokens, nil
}

// RevokeLink removes a public link, e.g. after the invoice is voided.
func (s *Service) RevokeLink(ctx context.Context, token string) error {
	return s.kv.Delete(ctx, publicLinks.With(token).String())
}

// agingSQL is the reporting query behind the receivables aging widget.
const agingSQL = `SELECT c.id AS customer_id, c.name AS customer_name, ` +
	`SUM(CASE WHEN i.due_at >= now() THEN i.total_cents - i.paid_cents ELSE 0 END) AS current_cents, ` +
	`SUM(CASE WHEN i.due_at < now() AND i.due_at >= now() - interval '30 days' THEN i.total_cents - i.paid_cents ELSE 0 END) AS d30_cents, ` +
	`SUM(CASE WHEN i.due_at < now() - interval '30 days' AND i.due_at >= now() - interval '60 days' THEN i.total_cents - i.paid_cents ELSE 0 END) AS d60_cents, ` +
	`SUM(CASE WHEN i.due_at < now() - interval '60 days' THEN i.total_cents - i.paid_cents ELSE 0 END) AS d90_cents ` +
	`FROM invoices i JOIN customers c ON c.id = i.customer_id ` +
	`WHERE i.tenant_id = $1 AND i.status IN ('open','disputed') ` +
	`GROUP BY c.id, c.name ORDER BY d90_cents DESC, d60_cents DESC`

// AgingReport returns the receivables aging table for tenant as JSON. The
// result is cached because the query scans every open invoice.
func (s *Service) AgingReport(ctx context.Context, tenant string) ([]byte, error) {
	key := tenants.With(tenant).Child("sql", agingSQL).String() // EXPECT kvlimits
	return s.cache.Get(ctx, key, func(ctx context.Context) ([]byte, error) {
		return s.src.AgingReport(ctx, agingSQL, tenant)
	})
}

func linkToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
