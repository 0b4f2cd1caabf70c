// Package apitokens issues and checks the API tokens nurseries call Trellis with.
package apitokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/trellis/internal/clock"
)

const tokenLifetime = 90 * 24 * time.Hour

// ErrUnknownToken is returned for tokens that do not resolve.
var ErrUnknownToken = errors.New("apitokens: unknown or revoked token")

var builtinScopes = []string{"catalog:read", "orders:read"}

// Record is what the registry keeps about a token; the secret itself is never stored.
type Record struct {
	ID      string    `json:"id"`
	Tenant  string    `json:"tenant"`
	Name    string    `json:"name"`
	Scopes  []string  `json:"scopes"`
	Hash    string    `json:"hash"`
	Created time.Time `json:"created"`
}

// Registry stores token records in Workers KV using the embedded API client.
type Registry struct {
	*cf.API
	rc        *cf.ResourceContainer
	namespace string
	clock     clock.Clock
}

func NewRegistry(api *cf.API, accountID, namespaceID string, c clock.Clock) *Registry {
	return &Registry{API: api, rc: cf.AccountIdentifier(accountID), namespace: namespaceID, clock: c}
}

func tokenKey(tenant, id string) string { return "t:" + tenant + ":apitoken:" + id }

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Mint creates a token for tenant and returns its secret, shown to the user once.
func (r *Registry) Mint(ctx context.Context, tenant, name string, scopes []string) (string, Record, error) {
	if len(scopes) == 0 {
		var err error
		if scopes, err = r.DefaultScopes(ctx, tenant); err != nil {
			return "", Record{}, err
		}
	}
	id, secret := strings.ToLower(rand.Text()[:12]), rand.Text()
	rec := Record{ID: id, Tenant: tenant, Name: name, Scopes: scopes, Hash: digest(secret), Created: r.clock.Now()}
	body, err := json.Marshal(rec)
	if err != nil {
		return "", Record{}, err
	}
	_, err = r.WriteWorkersKVEntries(ctx, r.rc, cf.WriteWorkersKVEntriesParams{
		NamespaceID: r.namespace,
		KVs: []*cf.WorkersKVPair{{
			Key:           tokenKey(tenant, id),
			Value:         string(body),
			ExpirationTTL: int(tokenLifetime), // EXPECT kvttl
			Metadata:      map[string]string{"name": name, "created": rec.Created.Format(time.DateOnly)},
		}},
	})
	return "trl_" + tenant + "_" + id + "_" + secret, rec, err
}

// Lookup resolves a presented token.
func (r *Registry) Lookup(ctx context.Context, token string) (Record, error) {
	parts := strings.SplitN(strings.TrimPrefix(token, "trl_"), "_", 3)
	if len(parts) != 3 || !strings.HasPrefix(token, "trl_") {
		return Record{}, ErrUnknownToken
	}
	raw, err := r.GetWorkersKV(ctx, r.rc, cf.GetWorkersKVParams{NamespaceID: r.namespace, Key: tokenKey(parts[0], parts[1])})
	var nf *cf.NotFoundError
	if errors.As(err, &nf) {
		return Record{}, ErrUnknownToken
	}
	if err != nil {
		return Record{}, err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Record{}, err
	}
	if subtle.ConstantTimeCompare([]byte(digest(parts[2])), []byte(rec.Hash)) != 1 {
		return Record{}, ErrUnknownToken
	}
	return rec, nil
}

// Revoke deletes a token.
func (r *Registry) Revoke(ctx context.Context, tenant, id string) error {
	_, err := r.DeleteWorkersKVEntry(ctx, r.rc, cf.DeleteWorkersKVEntryParams{ // EXPECT kvsession
		NamespaceID: r.namespace,
		Key:         tokenKey(tenant, id),
	})
	return err
}

// DefaultScopes returns the scopes given to new tokens of tenant.
func (r *Registry) DefaultScopes(ctx context.Context, tenant string) ([]string, error) {
	raw, err := r.GetWorkersKV(ctx, r.rc, cf.GetWorkersKVParams{NamespaceID: r.namespace, Key: "t:" + tenant + ":token-default-scopes"})
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return builtinScopes, nil
	}
	return strings.Split(string(raw), ","), nil
}
