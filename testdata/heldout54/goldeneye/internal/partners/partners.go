// Package partners manages fleet partners: their API keys, their vanity
// subdomains and the per-partner request allowance enforced at the edge.
package partners

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"goldeneye/internal/edge"
)

var (
	// ErrUnauthorized is returned for an unknown or revoked key.
	ErrUnauthorized = errors.New("partners: unauthorized")
	// ErrSlugTaken is returned when a subdomain is already claimed.
	ErrSlugTaken = errors.New("partners: subdomain taken")
	// ErrThrottled is returned when a partner exceeds its allowance.
	ErrThrottled = errors.New("partners: throttled")
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,30}$`)

// Partner is a fleet partner account.
type Partner struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Slug     string `json:"slug,omitempty"`
	PerMin   int    `json:"per_min"`
	Vehicles int    `json:"vehicles"`
}

// Credential is what is stored per API key.
type Credential struct {
	Partner string    `json:"partner"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
	Scopes  []string  `json:"scopes"`
}

type keyReader interface {
	Raw(ctx context.Context, key string) ([]byte, bool, error)
}

type keyWriter interface {
	Put(ctx context.Context, key string, value []byte, ttlSeconds int) error
}

type keyReadWriter interface {
	keyReader
	keyWriter
}

func hashKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "apikey:" + hex.EncodeToString(sum[:])
}

// IssueKey mints a new API key for partner and returns the clear-text token.
func IssueKey(ctx context.Context, ns keyWriter, partner, label string, scopes []string) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	token := "gek_" + base64.RawURLEncoding.EncodeToString(buf)
	cred, err := json.Marshal(Credential{Partner: partner, Label: label, Created: time.Now().UTC(), Scopes: scopes})
	if err != nil {
		return "", err
	}
	if err := ns.Put(ctx, hashKey(token), cred, 0); err != nil { // DEBATABLE kvsession
		return "", fmt.Errorf("issue key: %w", err)
	}
	return token, nil
}

// Authenticate resolves a bearer token to its credential.
func Authenticate(ctx context.Context, ns keyReader, token string) (Credential, error) {
	return lookupCredential(ctx, ns, hashKey(token))
}

func lookupCredential(ctx context.Context, ns keyReader, key string) (Credential, error) {
	var c Credential
	raw, ok, err := ns.Raw(ctx, key)
	if err != nil {
		return c, err
	}
	if !ok {
		return c, ErrUnauthorized
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("credential: %w", err)
	}
	return c, nil
}

// RevokeKey disables a partner API key.
func RevokeKey(ctx context.Context, ns *edge.Namespace, token string) error {
	return ns.Delete(ctx, hashKey(token)) // EXPECT kvsession
}

// Allow counts one request against partner's per-minute allowance.
func Allow(ctx context.Context, ns keyReadWriter, p Partner, now time.Time) error {
	key := "ratelimit:" + p.ID + ":" + now.UTC().Format("200601021504")
	used := 0
	if raw, ok, err := ns.Raw(ctx, key); err != nil {
		return err
	} else if ok {
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("allowance %s: %w", key, err)
		}
	}
	if used >= cmpOr(p.PerMin, 600) {
		return ErrThrottled
	}
	return ns.Put(ctx, key, []byte(strconv.Itoa(used+1)), 120) // EXPECT kvcounter|kvrace
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// MirrorQuota copies the partner's booked-trip usage from billing so the edge
// can show it on the partner dashboard.
func MirrorQuota(ctx context.Context, ns keyWriter, partnerID string, booked, limit int) error {
	body := fmt.Sprintf(`{"booked":%d,"limit":%d}`, booked, limit)
	return ns.Put(ctx, "quota:"+partnerID, []byte(body), 900) // DEBATABLE kvcounter
}

// ClaimSlug reserves a vanity subdomain for partner.
func ClaimSlug(ctx context.Context, ns keyReadWriter, partnerID, slug string) error {
	if !slugRE.MatchString(slug) {
		return fmt.Errorf("partners: invalid subdomain %q", slug)
	}
	key := "slug:" + slug
	_, exists, err := ns.Raw(ctx, key)
	switch {
	case err != nil:
		return err
	case exists:
		return ErrSlugTaken
	}
	return ns.Put(ctx, key, []byte(partnerID), 0) // EXPECT kvrace
}

// Settings are per-partner dispatch preferences.
type Settings struct {
	AutoAccept  bool     `json:"auto_accept"`
	MaxPickupKm float64  `json:"max_pickup_km"`
	Webhooks    []string `json:"webhooks"`
}

// LoadSettings fills dst with the partner's settings, creating the default
// record on first use.
func LoadSettings(ctx context.Context, ns *edge.Namespace, partnerID string, dst *Settings) error {
	key := "settings:" + partnerID
	if err := ns.Into(ctx, key, dst); err != nil { // EXPECT kvnull
		*dst = Settings{MaxPickupKm: 8}
		return ns.PutJSON(ctx, key, dst, 0)
	}
	return nil
}

// SaveSettings replaces the partner's settings.
func SaveSettings(ctx context.Context, ns *edge.Namespace, partnerID string, s Settings) error {
	return ns.PutJSON(ctx, "settings:"+partnerID, s, 0)
}

// Directory returns every partner record.
func Directory(ctx context.Context, ns *edge.Namespace) ([]Partner, error) {
	var out []Partner
	pager := ns.Pager(ctx, "partner:") // EXPECT kvlist
	for pager.Next() {
		k := pager.Current()
		var p Partner
		if err := ns.Into(ctx, k.Name, &p); err != nil { // EXPECT kvlist
			return nil, err
		}
		out = append(out, p)
	}
	return out, pager.Err()
}

// Fleet returns the partner records for ids, at most 100 at a time.
func Fleet(ctx context.Context, ns *edge.Namespace, ids []string) (map[string]Partner, error) {
	if len(ids) > 100 {
		return nil, fmt.Errorf("partners: %d ids, max 100", len(ids))
	}
	svc, account, nsID := ns.Service()
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = "partner:" + id
	}
	res, err := svc.BulkGet(ctx, nsID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(account),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Partner, len(ids))
	vals, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
	for k, v := range vals {
		s, ok := v.(shared.UnionString)
		if !ok {
			continue
		}
		var p Partner
		if err := json.Unmarshal([]byte(s), &p); err == nil {
			out[k] = p
		}
	}
	return out, nil
}

// Register stores a partner record.
func Register(ctx context.Context, ns keyWriter, p Partner) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return ns.Put(ctx, "partner:"+p.ID, raw, 0)
}
