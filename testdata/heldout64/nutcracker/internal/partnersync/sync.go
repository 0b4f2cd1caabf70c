// Package partnersync is the older partner-registry sync service. It still
// runs on cloudflare-go v3: it copies partner OAuth client registrations
// from the partner registry export into KV, where the OpenID provider reads
// them, and removes registrations that were withdrawn.
package partnersync

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

const (
	clientPrefix   = "oidc/clients/"
	clientCacheTTL = 24 * time.Hour
	bulkMax        = 10000
	maxListPages   = 50
)

// Registration is one row of the partner registry export.
type Registration struct {
	ClientID     string   `json:"client_id"`
	Name         string   `json:"name"`
	SecretSHA256 string   `json:"secret_sha256"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
}

// Syncer copies registrations into one namespace.
type Syncer struct {
	API       *cloudflare.Client
	AccountID string
	Namespace string
}

// Push writes every registration, in bulk requests of at most 10,000 pairs.
// Registrations expire after a day so that a partner removed from the
// registry stops working even if Prune does not run.
func (s *Syncer) Push(ctx context.Context, regs []Registration) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(regs))
	for _, r := range regs {
		doc, err := json.Marshal(map[string]any{
			"id": r.ClientID, "name": r.Name, "secret_sha256": r.SecretSHA256,
			"redirect_uris": r.RedirectURIs, "scopes": r.Scopes,
			"auth_method": "client_secret_basic", "grant_types": []string{"authorization_code", "refresh_token"},
		})
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(clientPrefix + r.ClientID),
			Value:         cloudflare.F(string(doc)),
			ExpirationTTL: cloudflare.F(float64(clientCacheTTL)), // EXPECT kvttl
			Metadata:      cloudflare.F(map[string]interface{}{"name": r.Name}),
		})
	}
	for start := 0; start < len(body); start += bulkMax {
		end := min(start+bulkMax, len(body))
		if _, err := s.API.KV.Namespaces.Bulk.Update(ctx, s.Namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      body[start:end],
		}); err != nil {
			return fmt.Errorf("bulk %d-%d: %w", start, end, err)
		}
	}
	return nil
}

// SpotCheck reads back a handful of registrations after a push and reports
// the ones that did not arrive.
func (s *Syncer) SpotCheck(ctx context.Context) ([]string, error) {
	res, err := s.API.KV.Namespaces.Keys.List(ctx, s.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(clientPrefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, k := range res.Result {
		resp, err := s.API.KV.Namespaces.Values.Get(ctx, s.Namespace, k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
			AccountID: cloudflare.F(s.AccountID),
		})
		if err != nil {
			return missing, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return missing, err
		}
		if len(body) == 0 { // EXPECT kvnull
			missing = append(missing, k.Name)
		}
	}
	return missing, nil
}

// Prune deletes registrations that are no longer in the registry.
func (s *Syncer) Prune(ctx context.Context, keep map[string]bool) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(clientPrefix),
		Limit:     cloudflare.F(1000.0),
	}
	var stale []string
	for page := 0; page < maxListPages; page++ {
		res, err := s.API.KV.Namespaces.Keys.List(ctx, s.Namespace, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range res.Result {
			if id := strings.TrimPrefix(k.Name, clientPrefix); !keep[id] {
				stale = append(stale, k.Name)
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(s.AccountID),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	for _, name := range stale {
		if _, err := s.API.KV.Namespaces.Values.Delete(ctx, s.Namespace, name, kv.NamespaceValueDeleteParams{
			AccountID: cloudflare.F(s.AccountID),
		}); err != nil {
			return 0, err
		}
		log.Printf("partnersync: removed %s", name)
	}
	return len(stale), nil
}
