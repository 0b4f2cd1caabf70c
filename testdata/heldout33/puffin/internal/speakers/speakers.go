// Package speakers manages speaker profiles, public page slugs and the API
// tokens speakers use with the slide-upload tool. It runs in the backend
// behind the speaker portal's API.
package speakers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
)

const (
	tokenTTL         = 90 * 24 * time.Hour
	placeholderPhoto = "https://cdn.puffin.events/speakers/placeholder.png"
)

// ErrSlugTaken is returned when another speaker owns the slug.
var ErrSlugTaken = errors.New("speakers: slug taken")

// Profile is the public speaker profile.
type Profile struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Bio     string    `json:"bio"`
	Links   []string  `json:"links,omitempty"`
	Slug    string    `json:"slug,omitempty"`
	Updated time.Time `json:"updated"`
}

// Key implements the KV record contract.
func (p Profile) Key() string { return keys.SpeakerKey(p.ID).String() }

// TTL implements the KV record contract: profiles do not expire.
func (p Profile) TTL() time.Duration { return 0 }

type tokenRecord struct {
	Speaker string    `json:"speaker"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

// Service is the speaker backend.
type Service struct {
	kv        *kvx.Store
	api       *cloudflare.Client
	account   string
	namespace string
}

// New returns the speaker service on the portal namespace.
func New(api *cloudflare.Client, account, namespace string) *Service {
	return &Service{kv: kvx.New(api, account, namespace), api: api, account: account, namespace: namespace}
}

// Claim gives a speaker a public page slug (puffin.events/s/<slug>).
func (s *Service) Claim(ctx context.Context, speakerID, slug string) error {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if slug == "" || strings.ContainsAny(slug, " /:") {
		return fmt.Errorf("speakers: invalid slug %q", slug)
	}
	k := keys.Slug(slug).String()
	if _, err := s.kv.Get(ctx, k); err == nil {
		return ErrSlugTaken
	} else if !kvx.IsNotFound(err) {
		return err
	}
	return s.kv.Put(ctx, k, []byte(speakerID), 0) // EXPECT kvrace
}

// Slugs returns the claimed slugs for the programme site's sitemap.
func (s *Service) Slugs(ctx context.Context) ([]string, error) {
	scope := keys.Root.Child("slug")
	page, err := s.kv.ListPage(ctx, scope.Prefix(), "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, scope.Prefix()))
	}
	return out, nil
}

// UpdateBio replaces the bio on a speaker's profile.
func (s *Service) UpdateBio(ctx context.Context, speakerID, bio string) error {
	p, err := kvx.Load[Profile](ctx, s.kv, keys.SpeakerKey(speakerID)) // EXPECT kvnull
	if err != nil {
		p = Profile{ID: speakerID}
	}
	p.Bio = strings.TrimSpace(bio)
	p.Updated = time.Now().UTC()
	return kvx.Save(ctx, s.kv, p) // EXPECT kvrace
}

// Publish stores a profile coming from the CFP system, which owns it.
func (s *Service) Publish(ctx context.Context, p Profile) error {
	p.Updated = time.Now().UTC()
	return kvx.Save(ctx, s.kv, p)
}

// PhotoURL returns the CDN URL of the speaker photo, or the placeholder.
func (s *Service) PhotoURL(ctx context.Context, speakerID string) (string, error) {
	resp, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, keys.SpeakerKey(speakerID).Photo().String(),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return "", fmt.Errorf("photo of %s: %w", speakerID, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return string(raw), nil
	}
	return placeholderPhoto, nil
}

// CreateToken mints an API token for the slide-upload tool.
func (s *Service) CreateToken(ctx context.Context, speakerID, label string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := "pft_" + base64.RawURLEncoding.EncodeToString(b[:])
	raw, _ := json.Marshal(tokenRecord{Speaker: speakerID, Label: label, Created: time.Now().UTC()})
	if err := s.kv.Put(ctx, keys.APIToken(tok).String(), raw, tokenTTL); err != nil {
		return "", err
	}
	return tok, nil
}

// RevokeToken blocks a token, e.g. one pasted into a public repository.
func (s *Service) RevokeToken(ctx context.Context, tok string) error {
	at := []byte(time.Now().UTC().Format(time.RFC3339))
	return s.kv.Put(ctx, keys.APIToken(tok).Revoked().String(), at, tokenTTL) // EXPECT kvsession
}

// RotateToken replaces a token with a fresh one carrying the same label.
func (s *Service) RotateToken(ctx context.Context, old string) (string, error) {
	raw, err := s.kv.Get(ctx, keys.APIToken(old).String())
	if err != nil {
		return "", err
	}
	var rec tokenRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", err
	}
	tok, err := s.CreateToken(ctx, rec.Speaker, rec.Label)
	if err != nil {
		return "", err
	}
	if err := s.kv.Delete(ctx, keys.APIToken(old).String()); err != nil { // EXPECT kvsession
		return "", err
	}
	return tok, nil
}
