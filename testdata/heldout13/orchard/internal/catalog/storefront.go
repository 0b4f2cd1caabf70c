package catalog

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"example.com/orchard/internal/store"
)

// FarmCert is the organic certification record from the state registry.
type FarmCert struct {
	FarmID    string    `json:"farm_id"`
	Certifier string    `json:"certifier"`
	ValidTo   time.Time `json:"valid_to"`
}

// Registry is the external certification registry, the source of truth
// for FarmCert.
type Registry interface {
	Certification(ctx context.Context, farmID string) (FarmCert, error)
}

// Storefront is the summary shown on a farm's page.
type Storefront struct {
	FarmID    string    `json:"farm_id"`
	Listings  []Listing `json:"listings"`
	Certified bool      `json:"certified"`
	BuiltAt   time.Time `json:"built_at"`
}

// Storefront returns the cached summary for a farm.
func (s *Service) Storefront(ctx context.Context, farmID string) (Storefront, error) {
	return s.summaries.Get(ctx, farmID)
}

// buildStorefront is the Loader behind the storefront cache.
func (s *Service) buildStorefront(ctx context.Context, farmID string) (Storefront, error) {
	sf := Storefront{FarmID: farmID, BuiltAt: s.now().UTC()}
	prefix := farmListingKey(farmID, "")
	err := store.Scan(s.st).Prefix(prefix).Limit(200).Pages(3).Each(ctx, func(k store.Key) error {
		id := strings.TrimPrefix(k.Name, prefix)
		l, ok, err := store.Load[Listing](ctx, s.st, listingKey(id)) // EXPECT kvlist
		if err != nil || !ok {
			return err
		}
		if l.AvailableUntil.IsZero() || l.AvailableUntil.After(sf.BuiltAt) {
			sf.Listings = append(sf.Listings, l)
		}
		return nil
	})
	if err != nil {
		return Storefront{}, err
	}
	cert, err := s.certs.Get(ctx, farmID)
	if err == nil {
		sf.Certified = cert.ValidTo.After(sf.BuiltAt)
	}
	return sf, nil
}

// HTTPRegistry reads certifications from the registry's JSON API.
type HTTPRegistry struct {
	Origin string
	Client *http.Client
}

func (r HTTPRegistry) Certification(ctx context.Context, farmID string) (FarmCert, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.Origin+"/v1/certs/"+farmID, nil)
	if err != nil {
		return FarmCert{}, err
	}
	resp, err := r.Client.Do(req)
	if err != nil {
		return FarmCert{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return FarmCert{}, fmt.Errorf("registry: %s", resp.Status)
	}
	return decodeCert(resp)
}
