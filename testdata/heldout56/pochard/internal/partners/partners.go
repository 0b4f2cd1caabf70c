// Package partners manages OTA and PMS partners: their public slugs,
// their API tokens and their daily request quota.
package partners

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/tracing"
)

// Store is the slice of the KV namespace this package needs.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Lookup(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, o kv.PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, o kv.ListOptions) (kv.Page, error)
}

var (
	ErrSlugTaken     = errors.New("partners: slug already claimed")
	ErrUnknownToken  = errors.New("partners: unknown api token")
	ErrTokenRevoked  = errors.New("partners: api token revoked")
	ErrQuotaExceeded = errors.New("partners: daily quota exceeded")
)

const (
	slugPrefix    = "partner:slug:"
	partnerPrefix = "partner:rec:"
	tokenPrefix   = "apitoken:"
	quotaPrefix   = "quota:"
)

// Partner is the stored partner record.
type Partner struct {
	ID         string    `json:"id"`
	Slug       string    `json:"slug"`
	Name       string    `json:"name"`
	Scopes     []string  `json:"scopes"`
	DailyQuota int       `json:"daily_quota"`
	CreatedAt  time.Time `json:"created_at"`
}

// APIToken is the stored record behind a partner's bearer token.
type APIToken struct {
	ID        string     `json:"id"`
	PartnerID string     `json:"partner_id"`
	Secret    string     `json:"secret"`
	Scopes    []string   `json:"scopes"`
	IssuedAt  time.Time  `json:"issued_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Reason    string     `json:"reason,omitempty"`
}

// ClaimCommand is the service-level form of a slug claim.
type ClaimCommand struct {
	PartnerID string
	Slug      string
	Name      string
	Quota     *int
}

// Service implements partner onboarding and authentication.
type Service struct {
	store Store
}

// NewService returns a Service backed by store.
func NewService(store Store) *Service { return &Service{store: store} }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ClaimSlug reserves a public slug for a partner and stores its record.
func (s *Service) ClaimSlug(ctx context.Context, cmd ClaimCommand) (p Partner, err error) {
	ctx, end := tracing.Start(ctx, "partners.claim", tracing.Str("slug", cmd.Slug))
	defer end(&err)
	slug := strings.ToLower(strings.TrimSpace(cmd.Slug))
	if _, taken, err := s.store.Lookup(ctx, slugPrefix+slug); err != nil {
		return Partner{}, err
	} else if taken {
		return Partner{}, ErrSlugTaken
	}
	if err := s.store.Put(ctx, slugPrefix+slug, []byte(cmd.PartnerID), kv.PutOptions{}); err != nil { // EXPECT kvrace
		return Partner{}, err
	}
	p = Partner{
		ID:         cmd.PartnerID,
		Slug:       slug,
		Name:       cmd.Name,
		DailyQuota: opt.Deref(cmd.Quota, 50_000),
		CreatedAt:  time.Now().UTC(),
	}
	return p, s.savePartner(ctx, p)
}

func (s *Service) savePartner(ctx context.Context, p Partner) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, partnerPrefix+p.ID, raw, kv.PutOptions{})
}

// Partner loads a partner record.
func (s *Service) Partner(ctx context.Context, id string) (Partner, bool, error) {
	raw, ok, err := s.store.Lookup(ctx, partnerPrefix+id)
	if err != nil || !ok {
		return Partner{}, false, err
	}
	var p Partner
	return p, true, json.Unmarshal(raw, &p)
}

// IssueToken mints a new bearer token for a partner. The returned string
// is shown once; only its record is stored.
func (s *Service) IssueToken(ctx context.Context, partnerID string, scopes []string) (string, error) {
	tok := APIToken{
		ID:        randomHex(8),
		PartnerID: partnerID,
		Secret:    randomHex(24),
		Scopes:    scopes,
		IssuedAt:  time.Now().UTC(),
	}
	raw, err := json.Marshal(tok)
	if err != nil {
		return "", err
	}
	if err := s.store.Put(ctx, tokenPrefix+tok.ID, raw, kv.PutOptions{Metadata: map[string]string{"partner": partnerID}}); err != nil {
		return "", err
	}
	return tok.ID + "." + tok.Secret, nil
}

// Authenticate resolves a bearer token to its record.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*APIToken, error) {
	id, secret, ok := strings.Cut(bearer, ".")
	if !ok {
		return nil, ErrUnknownToken
	}
	raw, err := s.store.Get(ctx, tokenPrefix+id)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrUnknownToken
	}
	var tok APIToken
	if err := json.Unmarshal(raw, &tok); err != nil {
		return nil, err
	}
	if tok.Secret != secret {
		return nil, ErrUnknownToken
	}
	if tok.RevokedAt != nil {
		return nil, ErrTokenRevoked
	}
	return &tok, nil
}

// ChargeQuota counts one API call against the partner's daily quota.
func (s *Service) ChargeQuota(ctx context.Context, p Partner) error {
	day := time.Now().UTC().Format("20060102")
	key := quotaPrefix + p.ID + ":" + day
	raw, found, err := s.store.Lookup(ctx, key)
	if err != nil {
		return err
	}
	used := 0
	if found {
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	}
	if used >= p.DailyQuota {
		return ErrQuotaExceeded
	}
	return s.store.Put(ctx, key, []byte(strconv.Itoa(used+1)), kv.PutOptions{TTL: opt.Ptr(48 * time.Hour)}) // EXPECT kvcounter|kvrace
}

// ListPartners returns up to max partner IDs, walking at most a few pages.
func (s *Service) ListPartners(ctx context.Context, max int) ([]string, error) {
	const maxPages = 5
	var ids []string
	cursor := ""
	for range maxPages {
		page, err := s.store.List(ctx, kv.ListOptions{Prefix: opt.Ptr(partnerPrefix), Cursor: cursor})
		if err != nil {
			return ids, err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, partnerPrefix))
			if len(ids) == max {
				return ids, nil
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return ids, nil
}
