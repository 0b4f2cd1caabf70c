// Package paylinks manages payment links and their one-time checkout tokens.
// Links are authored in the ledger database and published to the "links" KV
// namespace, from which the edge Worker renders /l/{id} pages.
package paylinks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/ledgerline/turnstone/internal/config"
	"github.com/ledgerline/turnstone/internal/kvstore"
	"github.com/ledgerline/turnstone/internal/randid"
)

// Key layout shared with the edge Worker (see edge/src/links.ts).
const (
	linkPrefix     = "link:"
	slugPrefix     = "slug:"
	checkoutPrefix = "checkout:"
	cartPrefix     = "cart:"
	returnPrefix   = "return-ok:"
)

// fallbackReturnURL is where payers land when a link has no return URL of its
// own. The query string carries the attribution parameters that the growth
// team's dashboards group by.
const fallbackReturnURL = "https://pay.ledgerline.example/checkout/complete" +
	"?utm_source=payment-link&utm_medium=hosted-checkout&utm_campaign=default-return" +
	"&utm_content=thank-you-page-v4&utm_term=b2b-invoicing" +
	"&ref=turnstone&layout=centered&theme=system&show_receipt=true&show_invoice_pdf=true" +
	"&show_portal_cta=true&portal_cta_variant=sign-in-to-see-all-invoices" +
	"&survey=post-payment-nps-2025q3&survey_sample_rate=0.05" +
	"&locale_fallback=en-US&currency_display=symbol&amount_display=with-tax" +
	"&support_link=https%3A%2F%2Fhelp.ledgerline.example%2Fpayments%2Fafter-you-pay" +
	"&legal_link=https%3A%2F%2Fledgerline.example%2Flegal%2Fpayment-terms"

var (
	// ErrSlugTaken is returned when a vanity slug is already in use.
	ErrSlugTaken = errors.New("paylinks: slug already taken")
	// ErrInvalidSlug is returned for slugs outside [a-z0-9-]{3,48}.
	ErrInvalidSlug = errors.New("paylinks: invalid slug")
	// ErrTokenUsed is returned when a checkout token was redeemed or expired.
	ErrTokenUsed = errors.New("paylinks: checkout token already used or expired")
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,47}$`)

// Link is the edge-facing projection of a payment link.
type Link struct {
	ID             string    `json:"id"`
	TenantID       string    `json:"tenant_id"`
	Slug           string    `json:"slug,omitempty"`
	AmountMinor    int64     `json:"amount_minor"`
	Currency       string    `json:"currency"`
	Description    string    `json:"description"`
	ReturnURL      string    `json:"return_url,omitempty"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"`
	Disabled       bool      `json:"disabled,omitempty"`
	DisabledReason string    `json:"disabled_reason,omitempty"`
}

// CheckoutToken authorises exactly one checkout of a link.
type CheckoutToken struct {
	Token    string    `json:"token"`
	LinkID   string    `json:"link_id"`
	TenantID string    `json:"tenant_id"`
	IssuedAt time.Time `json:"issued_at"`
}

// LineItem is an optional add-on a payer selects on the checkout page.
type LineItem struct {
	SKU         string `json:"sku"`
	Quantity    int    `json:"quantity"`
	AmountMinor int64  `json:"amount_minor"`
}

// Cart holds the add-ons selected for one checkout token.
type Cart struct {
	Token     string     `json:"token"`
	Items     []LineItem `json:"items"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Service publishes links and manages checkout tokens.
type Service struct {
	kv    kvstore.KV
	db    *sql.DB
	ttl   config.TTLs
	limit int
	log   *slog.Logger
	views *viewCounter
}

// New returns a Service writing to kv.
func New(kv kvstore.KV, db *sql.DB, cfg *config.Config, log *slog.Logger) *Service {
	views := newViewCounter(kv, cfg.Intervals.ViewFlush.Duration, log)
	return &Service{kv: kv, db: db, ttl: cfg.TTL, limit: cfg.Limits.LinkRequestsPerM, log: log.With("component", "paylinks"), views: views}
}

// RunBackground runs the view counter flush loop until ctx is done.
func (s *Service) RunBackground(ctx context.Context) { s.views.Run(ctx) }

// Publish writes link to KV for the edge. Links without their own expiry
// live for the configured payment-link TTL and are republished on change.
func (s *Service) Publish(ctx context.Context, link Link) error {
	key := linkPrefix + link.ID
	if link.ExpiresAt.IsZero() {
		return s.kv.Put(ctx, key, link, s.ttl.PaymentLink.Duration)
	}
	return s.kv.Put(ctx, key, link, time.Until(link.ExpiresAt)) // EXPECT kvttl
}

// Lookup returns the published link, loading and republishing it from the
// database when the edge copy has expired.
func (s *Service) Lookup(ctx context.Context, id string) (Link, error) {
	var link Link
	err := kvstore.GetInto(ctx, s.kv, linkPrefix+id, &link)
	if err == nil {
		return link, nil
	}
	if !kvstore.IsNotFound(err) {
		return Link{}, err
	}
	link, err = s.loadLink(ctx, id)
	if err != nil {
		return Link{}, err
	}
	if err := s.kv.Put(ctx, linkPrefix+id, link, s.ttl.PaymentLink.Duration); err != nil {
		s.log.Warn("republish link", "link", id, "err", err)
	}
	return link, nil
}

// ClaimSlug reserves a vanity slug (/p/{slug}) for a link.
func (s *Service) ClaimSlug(ctx context.Context, tenantID, slug, linkID string) error {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !slugRE.MatchString(slug) {
		return ErrInvalidSlug
	}
	key := slugPrefix + slug
	_, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		return ErrSlugTaken
	case !kvstore.IsNotFound(err):
		return fmt.Errorf("check slug: %w", err)
	}
	claim := map[string]string{"tenant_id": tenantID, "link_id": linkID}
	return s.kv.Put(ctx, key, claim, 0) // EXPECT kvrace
}

// Disable marks a link as no longer payable, both in the ledger and at the
// edge.
func (s *Service) Disable(ctx context.Context, linkID, reason string) error {
	var link Link
	if err := kvstore.GetInto(ctx, s.kv, linkPrefix+linkID, &link); err != nil {
		return fmt.Errorf("disable %s: %w", linkID, err)
	}
	link.Disabled = true
	link.DisabledReason = reason
	if _, err := s.db.ExecContext(ctx,
		`UPDATE payment_links SET disabled = true, disabled_reason = $2 WHERE id = $1`,
		linkID, reason); err != nil {
		return err
	}
	return s.kv.Put(ctx, linkPrefix+linkID, link, s.ttl.PaymentLink.Duration) // EXPECT kvrace
}

// IssueCheckoutToken mints the token that the checkout page posts back.
func (s *Service) IssueCheckoutToken(ctx context.Context, link Link) (string, error) {
	tok := randid.Token("ct_")
	ct := CheckoutToken{Token: tok, LinkID: link.ID, TenantID: link.TenantID, IssuedAt: time.Now().UTC()}
	if err := s.kv.Put(ctx, checkoutPrefix+tok, ct, s.ttl.CheckoutToken.Duration); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return tok, nil
}

// Redeem consumes a checkout token. A token can be redeemed once.
func (s *Service) Redeem(ctx context.Context, tok string) (CheckoutToken, error) {
	var ct CheckoutToken
	if err := kvstore.GetInto(ctx, s.kv, checkoutPrefix+tok, &ct); err != nil {
		if kvstore.IsNotFound(err) {
			return ct, ErrTokenUsed
		}
		return ct, err
	}
	if err := s.kv.Delete(ctx, checkoutPrefix+tok); err != nil { // EXPECT kvsession
		return ct, err
	}
	return ct, nil
}

// AddItem adds an add-on to the cart of a checkout token.
func (s *Service) AddItem(ctx context.Context, tok string, item LineItem) (Cart, error) {
	key := cartPrefix + tok
	cart := Cart{Token: tok}
	raw, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &cart); err != nil {
			return Cart{}, err
		}
	case !kvstore.IsNotFound(err):
		return Cart{}, err
	}
	cart.Items = append(cart.Items, item)
	cart.UpdatedAt = time.Now().UTC()
	return cart, s.kv.Put(ctx, key, cart, s.ttl.CheckoutToken.Duration) // EXPECT kvsession
}

// SeedReturnAllowList registers every tenant's return URL, and the fallback,
// as allowed redirect targets for the edge Worker.
func (s *Service) SeedReturnAllowList(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT return_url FROM payment_links WHERE return_url <> ''`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return err
		}
		if err := s.kv.Put(ctx, returnPrefix+u, "1", 0); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return s.kv.Put(ctx, returnPrefix+fallbackReturnURL, "1", 0) // EXPECT kvlimits
}

func (s *Service) loadLink(ctx context.Context, id string) (Link, error) {
	var link Link
	var expires sql.NullTime
	err := s.db.QueryRowContext(ctx, `
		SELECT id, tenant_id, coalesce(slug, ''), amount_minor, currency, description, return_url, expires_at, disabled
		FROM payment_links WHERE id = $1`, id).
		Scan(&link.ID, &link.TenantID, &link.Slug, &link.AmountMinor, &link.Currency,
			&link.Description, &link.ReturnURL, &expires, &link.Disabled)
	link.ExpiresAt = expires.Time
	if err != nil {
		return Link{}, fmt.Errorf("load link %s: %w", id, err)
	}
	return link, nil
}
