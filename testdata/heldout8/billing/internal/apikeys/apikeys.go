// Package apikeys issues and resolves customer API keys. Keys are stored by
// their SHA-256 so a KV export never contains a usable secret.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/billing/internal/storage/kvstore"
)

// ErrUnknownKey is returned for keys that were never issued.
var ErrUnknownKey = errors.New("apikeys: unknown key")

// Record is what a key resolves to.
type Record struct {
	CustomerID string    `json:"customer_id"`
	Label      string    `json:"label"`
	Scopes     []string  `json:"scopes"`
	IssuedAt   time.Time `json:"issued_at"`
}

// Registry stores key records.
type Registry struct {
	values    *kv.NamespaceValueService
	accountID string
	nsID      string
}

// NewRegistry returns a Registry.
func NewRegistry(client *cloudflare.Client, accountID, nsID string) *Registry {
	return &Registry{values: client.KV.Namespaces.Values, accountID: accountID, nsID: nsID}
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "apikey:" + hex.EncodeToString(sum[:])
}

// Issue creates a new key for rec and returns the secret, shown once.
func (r *Registry) Issue(ctx context.Context, rec Record) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	secret := "bk_live_" + hex.EncodeToString(buf)
	rec.IssuedAt = time.Now().UTC()
	raw, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	_, err = r.values.Update(ctx, r.nsID, hashKey(secret), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.accountID),
		Value:     cloudflare.F(string(raw)),
		Metadata:  cloudflare.F(fmt.Sprintf(`{"customer":%q,"label":%q}`, rec.CustomerID, rec.Label)),
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Resolve returns the record for a presented secret.
func (r *Registry) Resolve(ctx context.Context, secret string) (Record, error) {
	res, err := r.values.Get(ctx, r.nsID, hashKey(secret), kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)})
	if kvstore.IsNotFound(err) {
		return Record{}, ErrUnknownKey
	}
	if err != nil {
		return Record{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return Record{}, err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Record{}, fmt.Errorf("apikeys: corrupt record: %w", err)
	}
	return rec, nil
}

// Rotate issues a replacement for old and retires old.
func (r *Registry) Rotate(ctx context.Context, old string) (string, error) {
	rec, err := r.Resolve(ctx, old)
	if err != nil {
		return "", err
	}
	secret, err := r.Issue(ctx, rec)
	if err != nil {
		return "", err
	}
	if _, err := r.values.Delete(ctx, r.nsID, hashKey(old), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(r.accountID)}); err != nil { // EXPECT kvsession
		return "", fmt.Errorf("retire old key: %w", err)
	}
	return secret, nil
}
