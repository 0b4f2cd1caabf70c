// Package customers keeps billing profiles and the upstream tax profile cache.
package customers

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"example.com/billing/internal/keys"
	"example.com/billing/internal/repo"
	"example.com/billing/internal/storage"
)

// Profile is what invoices are addressed to.
type Profile struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	BillingEmail string    `json:"billing_email"`
	Country      string    `json:"country"`
	VATID        string    `json:"vat_id,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TaxProfile is the provider's view of a customer's tax status.
type TaxProfile struct {
	Exempt   bool     `json:"exempt"`
	Regions  []string `json:"regions"`
	Verified bool     `json:"verified"`
}

// TaxAPI is the payment provider's GraphQL endpoint.
type TaxAPI interface {
	Query(ctx context.Context, query string, vars map[string]any, out any) error
}

const taxProfileQuery = `query TaxProfile($customerId: ID!) {
  customer(id: $customerId) {
    taxProfile {
      exempt
      exemptionCertificate { id status expiresAt issuingRegion }
      registrations { region number verified verifiedAt }
      regions
      verified
      reverseCharge
      lastValidatedAt
      validationErrors { code message field }
    }
    billingAddress { line1 line2 city postalCode region country }
    shippingAddress { line1 line2 city postalCode region country }
    invoiceSettings { defaultPaymentMethod footer customFields { name value } }
    taxIds { type value country verification { status verifiedName verifiedAddress } }
  }
}`

// Service manages customer profiles.
type Service struct {
	profiles *repo.Repo[Profile]
	store    storage.Store
	tax      TaxAPI
	clock    func() time.Time
}

// NewService wires a Service.
func NewService(store storage.Store, tax TaxAPI) *Service {
	return &Service{
		profiles: repo.New[Profile](store, keys.Prefix(keys.Customers)),
		store:    store,
		tax:      tax,
		clock:    time.Now,
	}
}

func (s *Service) Profile(ctx context.Context, id string) (Profile, error) {
	return s.profiles.Get(ctx, id)
}

// SetBillingEmail changes where invoices are sent.
func (s *Service) SetBillingEmail(ctx context.Context, id, email string) error {
	if _, err := mail.ParseAddress(email); err != nil {
		return fmt.Errorf("invalid billing email: %w", err)
	}
	return s.profiles.Update(ctx, id, func(p *Profile) error {
		p.ID = id
		p.BillingEmail = email
		p.UpdatedAt = s.clock()
		return nil
	})
}

// Import replaces a profile with the one from the CRM export.
func (s *Service) Import(ctx context.Context, p Profile) error {
	p.UpdatedAt = s.clock()
	return s.profiles.Put(ctx, p.ID, p)
}

// TaxProfile returns the provider's tax profile, cached for an hour.
func (s *Service) TaxProfile(ctx context.Context, id string) (TaxProfile, error) {
	key := "gql:" + taxProfileQuery + ":" + id // EXPECT kvlimits
	tp, err := repo.GetJSON[TaxProfile](ctx, s.store, key)
	if err == nil {
		return tp, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return TaxProfile{}, err
	}
	var resp struct {
		Customer struct {
			TaxProfile TaxProfile `json:"taxProfile"`
		} `json:"customer"`
	}
	if err := s.tax.Query(ctx, taxProfileQuery, map[string]any{"customerId": id}, &resp); err != nil {
		return TaxProfile{}, err
	}
	tp = resp.Customer.TaxProfile
	return tp, repo.PutJSON(ctx, s.store, key, tp, storage.WithTTL(time.Hour))
}
