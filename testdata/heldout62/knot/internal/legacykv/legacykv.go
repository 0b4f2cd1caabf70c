// Package legacykv talks to the rx-legacy KV namespace that the 2022
// prescription service still reads. It is pinned to cloudflare-go v3 because
// that service's deploy tooling is, and it writes through the bulk endpoint:
// the v3 single-value write takes no expiration.
package legacykv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNoRecord reports that the legacy namespace holds no record for a key.
var ErrNoRecord = errors.New("legacykv: no record")

// Store is the rx-legacy namespace.
type Store struct {
	cf        *cloudflare.Client
	accountID string
	nsID      string
}

// New returns a Store for the given namespace.
func New(apiToken, accountID, namespaceID string) *Store {
	return &Store{
		cf:        cloudflare.NewClient(option.WithAPIToken(apiToken)),
		accountID: accountID,
		nsID:      namespaceID,
	}
}

// Item is one value for Write. ExpiresAt is seconds since the epoch; TTL is
// in seconds. Zero means no expiry.
type Item struct {
	Key       string
	Value     string
	TTL       int
	ExpiresAt int64
	Meta      map[string]any
}

// Write stores items in one bulk request.
func (s *Store) Write(ctx context.Context, items ...Item) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(items))
	for _, it := range items {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(it.Key),
			Value: cloudflare.F(it.Value),
		}
		if it.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(float64(it.TTL))
		}
		if it.ExpiresAt > 0 {
			b.Expiration = cloudflare.F(float64(it.ExpiresAt))
		}
		if it.Meta != nil {
			b.Metadata = cloudflare.F(it.Meta)
		}
		body = append(body, b)
	}
	_, err := s.cf.KV.Namespaces.Bulk.Update(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("legacy bulk write: %w", err)
	}
	return nil
}

// RxRecord is the legacy prescription record.
type RxRecord struct {
	RxNumber     string `json:"rx_number"`
	PatientID    string `json:"patient_id"`
	Drug         string `json:"drug"`
	RefillsLeft  int    `json:"refills_left"`
	LastFilledAt string `json:"last_filled_at"`
	Status       string `json:"status"`
}

// Rx returns the legacy record for an Rx number.
func (s *Store) Rx(ctx context.Context, rxNumber string) (*RxRecord, error) {
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.nsID, "rx:"+rxNumber, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, fmt.Errorf("legacy rx %s: %w", rxNumber, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrNoRecord
	}
	var rec RxRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("legacy rx %s: %w", rxNumber, err)
	}
	return &rec, nil
}

// PharmacyKeys returns the names of the pharmacy records under prefix.
func (s *Store) PharmacyKeys(ctx context.Context, prefix string) ([]string, error) {
	res, err := s.cf.KV.Namespaces.Keys.List(ctx, s.nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("pharmacy:" + prefix),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return nil, fmt.Errorf("legacy list: %w", err)
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, nil
}
