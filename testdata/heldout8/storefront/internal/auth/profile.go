package auth

import (
	"context"
	"encoding/json"
	"time"

	"example.com/storefront/internal/keys"
	"example.com/storefront/internal/kvstore"
)

// Profile is the customer record the storefront keeps at the edge.
type Profile struct {
	CustomerID     string    `json:"customer_id"`
	Email          string    `json:"email"`
	Locale         string    `json:"locale"`
	MarketingOptIn bool      `json:"marketing_opt_in"`
	CreatedAt      time.Time `json:"created_at"`
}

// Profiles loads and creates profiles.
type Profiles struct {
	store         kvstore.Store
	defaultLocale string
}

// NewProfiles returns a profile store.
func NewProfiles(store kvstore.Store, defaultLocale string) *Profiles {
	return &Profiles{store: store, defaultLocale: defaultLocale}
}

// LoadOrCreate is called after a successful login.
func (p *Profiles) LoadOrCreate(ctx context.Context, customerID, email string) (Profile, error) {
	key := keys.New("profile").With(customerID).String()
	raw, err := p.store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		prof := Profile{CustomerID: customerID, Email: normalize(email), Locale: p.defaultLocale, CreatedAt: time.Now().UTC()}
		b, _ := json.Marshal(prof)
		return prof, p.store.Put(ctx, key, b)
	}
	var prof Profile
	err = json.Unmarshal(raw, &prof)
	return prof, err
}
