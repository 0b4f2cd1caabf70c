// Package apikeys issues and verifies the API keys customers use against
// their gateways. Records are keyed by the SHA-256 of the secret so the edge
// Worker can look a presented key up without knowing the secret.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/portwell/nutcracker/internal/kvstore"
)

// Record is the document stored under apikeys/<sha256>.
type Record struct {
	ID          string    `json:"id"`
	Tenant      string    `json:"tenant"`
	GatewayID   string    `json:"gateway_id"`
	Plan        string    `json:"plan"`
	QuotaPerDay int       `json:"quota_per_day"`
	Created     time.Time `json:"created"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	LastUsed    time.Time `json:"last_used,omitzero"`
}

// ErrUnknownKey is returned by Verify for keys that do not exist.
var ErrUnknownKey = errors.New("apikeys: unknown key")

// Service issues and verifies keys.
type Service struct {
	ns  *kvstore.Namespace
	log *slog.Logger
}

// NewService returns a Service.
func NewService(ns *kvstore.Namespace, log *slog.Logger) *Service {
	return &Service{ns: ns, log: log}
}

// Hash returns the lookup hash of a presented secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func recordKey(hash string) string { return "apikeys/" + hash }

func newSecret(prefix string) (id, secret string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	s := base64.RawURLEncoding.EncodeToString(b[:])
	return s[:10], prefix + "_" + s
}

// Issue creates a key for a gateway and returns the secret once.
func (s *Service) Issue(ctx context.Context, tenant, gatewayID, plan string, quota int) (string, *Record, error) {
	id, secret := newSecret("pk_live")
	rec := &Record{ID: id, Tenant: tenant, GatewayID: gatewayID, Plan: plan, QuotaPerDay: quota, Created: time.Now().UTC()}
	buf, _ := json.Marshal(rec)
	meta := map[string]string{"tenant": tenant, "gateway": gatewayID, "id": id}
	if err := s.ns.PutWithMetadata(ctx, recordKey(Hash(secret)), buf, 0, meta); err != nil {
		return "", nil, err
	}
	if err := s.ns.Put(ctx, "tenants/"+tenant+"/keys/"+id, []byte(Hash(secret)), 0); err != nil {
		return "", nil, err
	}
	return secret, rec, nil
}

// IssueTemporary creates a key that stops working at expiresAt, used for
// the interactive API explorer in the portal.
func (s *Service) IssueTemporary(ctx context.Context, tenant, gatewayID string, expiresAt time.Time) (string, error) {
	id, secret := newSecret("pk_try")
	rec := Record{ID: id, Tenant: tenant, GatewayID: gatewayID, Plan: "explorer", QuotaPerDay: 500, Created: time.Now().UTC(), ExpiresAt: expiresAt}
	buf, _ := json.Marshal(rec)
	if err := s.ns.PutAt(ctx, recordKey(Hash(secret)), buf, expiresAt.UnixMilli()); err != nil { // EXPECT kvttl
		return "", err
	}
	return secret, nil
}

// Verify looks a presented secret up. Misses are remembered briefly so that
// scanners hammering the API with random keys do not each cost a KV read
// against the origin.
func (s *Service) Verify(ctx context.Context, secret string) (*Record, error) {
	h := Hash(secret)
	if _, err := s.ns.Get(ctx, "apikeys/neg/"+h); err == nil {
		return nil, ErrUnknownKey
	}
	raw, err := s.ns.Get(ctx, recordKey(h))
	if errors.Is(err, kvstore.ErrNotFound) {
		if err := s.ns.Put(ctx, "apikeys/neg/"+h, []byte("1"), 30*time.Second); err != nil { // EXPECT kvttl
			s.log.Warn("negative cache", "err", err)
		}
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	go s.touch(context.WithoutCancel(ctx), h)
	return &rec, nil
}

// touch records when a key was last used; it runs after the response.
func (s *Service) touch(ctx context.Context, hash string) {
	raw, err := s.ns.Get(ctx, recordKey(hash))
	if err != nil {
		return
	}
	var rec Record
	if json.Unmarshal(raw, &rec) != nil {
		return
	}
	rec.LastUsed = time.Now().UTC()
	buf, _ := json.Marshal(rec)
	if err := s.ns.Put(ctx, recordKey(hash), buf, 0); err != nil { // EXPECT kvrace
		s.log.Warn("touch api key", "err", err)
	}
}

// Rotate re-issues every key of a tenant, keeping the old ones valid for a
// day so that clients can switch over.
func (s *Service) Rotate(ctx context.Context, tenant string) (map[string]string, error) {
	page, err := s.ns.ListPage(ctx, "tenants/"+tenant+"/keys/", "", 1000)
	if err != nil {
		return nil, err
	}
	if page.Cursor != "" {
		return nil, fmt.Errorf("tenant %s has more than 1000 keys; rotate per gateway", tenant)
	}
	fresh := make(map[string]string, len(page.Keys))
	for _, name := range page.Keys {
		oldHash, err := s.ns.Get(ctx, name) // EXPECT kvlist
		if err != nil {
			return fresh, err
		}
		raw, err := s.ns.Get(ctx, recordKey(string(oldHash)))
		if err != nil {
			continue
		}
		var rec Record
		_ = json.Unmarshal(raw, &rec)
		secret, _, err := s.Issue(ctx, tenant, rec.GatewayID, rec.Plan, rec.QuotaPerDay)
		if err != nil {
			return fresh, err
		}
		fresh[rec.ID] = secret
		if err := s.ns.Put(ctx, recordKey(string(oldHash)), raw, 24*time.Hour); err != nil { // DEBATABLE kvrace
			return fresh, err
		}
		_ = s.ns.Delete(ctx, name)
		_ = s.ns.Put(ctx, "apikeys/rotation-progress", []byte(tenant+"/"+rec.ID), 0) // EXPECT kvhotkey
	}
	return fresh, nil
}

// UsageSummary is one key's usage as the edge rolls it up into metadata.
type UsageSummary struct {
	Key  string         `json:"key"`
	Meta map[string]any `json:"meta"`
}

// UsageReport reads the per-key daily rollups of a tenant. Rollups carry
// their totals in metadata, so no value reads are needed.
func (s *Service) UsageReport(ctx context.Context, tenant, day string, maxKeys int) ([]UsageSummary, bool, error) {
	prefix := "rollup/" + tenant + "/" + day + "/"
	var out []UsageSummary
	cursor := ""
	for len(out) < maxKeys {
		page, err := s.ns.ListPage(ctx, prefix, cursor, min(1000, maxKeys-len(out)))
		if err != nil {
			return nil, false, err
		}
		for _, k := range page.Keys {
			m, _ := page.Metadata[k].(map[string]any)
			out = append(out, UsageSummary{Key: strings.TrimPrefix(k, prefix), Meta: m})
		}
		if page.Cursor == "" {
			return out, false, nil
		}
		cursor = page.Cursor
	}
	return out, true, nil
}

// CountKeys counts a tenant's keys for the plan-limit check, stopping early
// once the limit is reached.
func (s *Service) CountKeys(ctx context.Context, tenant string, limit int) (int, error) {
	it := s.ns.Iterate(ctx, "tenants/"+tenant+"/keys/")
	n := 0
	for it.Next() {
		n++
		if n >= limit {
			break
		}
	}
	return n, it.Err()
}

const enterpriseTerms = "Enterprise plan: unlimited gateways and custom domains; " +
	"requests above the committed monthly volume are billed at the contracted overage rate and are never throttled. " +
	"Dedicated egress IP addresses are available in every region on request, and upstream mutual TLS certificates may be uploaded per gateway. " +
	"Support: 24x7 with a 30 minute first-response target for severity 1 incidents, 4 hours for severity 2 and one business day for everything else. " +
	"Service level: 99.99% monthly availability of the gateway data plane measured per region; credits of 10%, 25% and 50% of the monthly fee apply below 99.99%, 99.9% and 99.0%. " +
	"Data residency: request logs can be pinned to the EU or US and are retained for 90 days unless the contract states otherwise. " +
	"Security: SSO via SAML or OIDC, SCIM provisioning, audit log export to S3, R2 or GCS, and customer-managed keys for stored secrets. " +
	"The customer may terminate for convenience with 90 days written notice; fees paid in advance for the remaining term are refunded pro rata. " +
	"Quota resets happen at 00:00 UTC; burst capacity equals twice the per-second committed rate for up to sixty seconds."

// SeedPlans writes the plan catalogue the portal's pricing page reads. The
// terms travel in metadata so the page can render from a single list call.
func (s *Service) SeedPlans(ctx context.Context) error {
	api, account, nsID := s.ns.SDK()
	_, err := api.KV.Namespaces.BulkUpdate(ctx, nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(account),
		Body: []kv.NamespaceBulkUpdateParamsBody{
			{
				Key:      cloudflare.F("plans/free"),
				Value:    cloudflare.F(`{"requests_per_day":10000,"custom_domains":0}`),
				Metadata: cloudflare.F[any](map[string]string{"name": "Free", "terms": "Community support."}),
			},
			{
				Key:      cloudflare.F("plans/team"),
				Value:    cloudflare.F(`{"requests_per_day":1000000,"custom_domains":5}`),
				Metadata: cloudflare.F[any](map[string]string{"name": "Team", "terms": "Email support, 99.9% SLA."}),
			},
			{
				Key:      cloudflare.F("plans/enterprise"),
				Value:    cloudflare.F(`{"requests_per_day":0,"custom_domains":-1}`),
				Metadata: cloudflare.F[any](map[string]string{"name": "Enterprise", "terms": enterpriseTerms}), // EXPECT kvlimits
			},
		},
	})
	return err
}
