// Package apikeys issues and revokes tenants' API keys and claims tenant
// slugs. Records are published to CONFIG, where the edge looks keys up by
// the SHA-256 of the secret.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvrest"
	"github.com/exptrack/redstart/internal/model"
	"github.com/exptrack/redstart/internal/retry"
	"github.com/exptrack/redstart/internal/uow"
)

// ErrSlugTaken is returned when another tenant owns a slug.
var ErrSlugTaken = errors.New("apikeys: slug is taken")

var defaultSettings = map[string]any{
	"daily_cap":      100_000,
	"dedupe_seconds": 300,
	"strategy":       "hash",
	"recent_feed":    false,
}

// Issuer manages API keys in one CONFIG namespace.
type Issuer struct {
	KV  *kvrest.Client
	NS  string
	Now func() time.Time
}

func (i *Issuer) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

// Issue creates an API key and returns its secret, which is shown once.
func (i *Issuer) Issue(ctx context.Context, tenant, name string, scopes []string, dailyCap int64) (string, *model.APIKey, error) {
	if err := i.ensureSettings(ctx, tenant); err != nil {
		return "", nil, err
	}
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	secret := "rs_live_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	sum := sha256.Sum256([]byte(secret))
	hash := hex.EncodeToString(sum[:])
	key := &model.APIKey{
		ID:        hash[:12],
		Tenant:    tenant,
		Name:      name,
		Scopes:    scopes,
		DailyCap:  dailyCap,
		CreatedAt: i.now().UTC(),
	}
	body, _ := json.Marshal(key)
	u := uow.New()
	u.PutWithMeta(keys.APIKey(hash), string(body), 0, map[string]any{"tenant": tenant, "id": key.ID, "name": name})
	u.Put("apikey-id:"+tenant+":"+key.ID, hash, 0)
	if err := i.KV.Commit(ctx, i.NS, u); err != nil {
		return "", nil, err
	}
	return secret, key, nil
}

// ensureSettings gives a tenant default settings when it has none yet.
func (i *Issuer) ensureSettings(ctx context.Context, tenant string) error {
	key := keys.TenantConfig(tenant)
	if _, err := i.KV.Get(ctx, i.NS, key); err != nil { // EXPECT kvnull
		body, _ := json.Marshal(defaultSettings)
		return i.KV.Put(ctx, i.NS, key, body, 0) // DEBATABLE kvrace
	}
	return nil
}

// Revoke stops an API key. The edge caches key records, so the key is also
// added to the tenant's revocation list, which the edge checks every minute.
func (i *Issuer) Revoke(ctx context.Context, tenant, id string) error {
	hash, err := i.KV.Get(ctx, i.NS, "apikey-id:"+tenant+":"+id)
	if errors.Is(err, kvrest.ErrNotFound) {
		return fmt.Errorf("apikeys: no key %s for %s", id, tenant)
	} else if err != nil {
		return err
	}

	listKey := keys.RevokedKeys(tenant)
	var revoked []string
	switch raw, err := i.KV.Get(ctx, i.NS, listKey); {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &revoked); err != nil {
			return err
		}
	}
	if !slices.Contains(revoked, id) {
		revoked = append(revoked, id)
	}
	body, _ := json.Marshal(revoked)
	if err := i.KV.Put(ctx, i.NS, listKey, body, 0); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	if err := i.KV.Delete(ctx, i.NS, keys.APIKey(string(hash))); err != nil { // DEBATABLE kvsession
		return err
	}
	return i.KV.Delete(ctx, i.NS, "apikey-id:"+tenant+":"+id)
}

// ClaimSlug gives a tenant a public slug for its hosted SDK endpoint.
func (i *Issuer) ClaimSlug(ctx context.Context, tenant, slug string) error {
	key := keys.TenantSlug(slug)
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		owner, err := i.KV.Get(ctx, i.NS, key)
		switch {
		case err == nil && string(owner) == tenant:
			return nil
		case err == nil:
			return retry.Permanent(ErrSlugTaken)
		case !errors.Is(err, kvrest.ErrNotFound):
			return err
		}
		return i.KV.Put(ctx, i.NS, key, []byte(tenant), 0) // EXPECT kvrace
	})
}

// PublishUser writes an admin's login record for the edge.
func (i *Issuer) PublishUser(ctx context.Context, tenant, email, role, salt, hash string, iter int) error {
	body, _ := json.Marshal(map[string]any{
		"email": strings.ToLower(email), "tenant": tenant, "role": role,
		"salt": salt, "hash": hash, "iter": iter,
	})
	return retry.Do(ctx, retry.Patient, func(ctx context.Context) error {
		err := i.KV.Put(ctx, i.NS, keys.User(tenant, email), body, 0)
		if err != nil && !kvrest.IsThrottled(err) {
			return retry.Permanent(err)
		}
		return err
	})
}

// Preview returns short-lived read-only credentials for the dashboard's
// live preview.
func (i *Issuer) Preview(ctx context.Context, tenant string) (string, error) {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	id := hex.EncodeToString(raw)
	return id, i.KV.Put(ctx, i.NS, "preview-cred:"+tenant+":"+id, []byte(tenant), 10*time.Second)
}
