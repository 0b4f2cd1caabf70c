// Package previews issues shareable links to unpublished builds.
package previews

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/atlas/internal/cfkv"
	"example.com/atlas/internal/config"
	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/storage"
)

var (
	ErrUnknownLink = errors.New("previews: unknown link")
	ErrExpired     = errors.New("previews: link expired")
)

// Link grants read access to one build until ExpiresAt.
type Link struct {
	Token     string    `json:"token"`
	SiteID    string    `json:"site"`
	BuildID   string    `json:"build"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (l Link) Key() string { return consts.PrefixPreview.Key(l.Token) }

func (l Link) indexKey() string { return indexPrefix(l.SiteID) + l.Token }

func indexPrefix(siteID string) string { return "preview-idx:" + siteID + ":" }

// Service manages preview links.
type Service struct {
	store storage.Store
	ns    cfkv.Namespace
	cfg   config.PreviewConfig
	now   func() time.Time
}

func New(s storage.Store, ns cfkv.Namespace, cfg config.PreviewConfig) *Service {
	return &Service{store: s, ns: ns, cfg: cfg, now: time.Now}
}

// Create issues a link for buildID valid for ttl (the configured default when
// zero), never shorter than a minute nor longer than the configured maximum.
func (s *Service) Create(ctx context.Context, siteID, buildID, createdBy string, ttl time.Duration) (Link, error) {
	if ttl == 0 {
		ttl = s.cfg.DefaultTTL
	}
	ttl = max(ttl, time.Minute)
	if s.cfg.MaxTTL > 0 {
		ttl = min(ttl, s.cfg.MaxTTL)
	}
	now := s.now().UTC()
	l := Link{
		Token:     newToken(),
		SiteID:    siteID,
		BuildID:   buildID,
		CreatedBy: createdBy,
		CreatedAt: now,
		ExpiresAt: now.Add(ttl),
	}
	b, err := json.Marshal(l)
	if err != nil {
		return Link{}, err
	}
	if err := s.store.Put(ctx, l.Key(), b, ttl); err != nil {
		return Link{}, err
	}
	if mw, ok := s.store.(storage.MetaWriter); ok {
		meta := map[string]any{"build": buildID, "by": createdBy}
		if err := mw.PutWithMetadata(ctx, l.indexKey(), nil, meta, ttl); err != nil {
			return Link{}, err
		}
	}
	return l, nil
}

// Resolve returns the link for token if it is still valid.
func (s *Service) Resolve(ctx context.Context, token string) (Link, error) {
	if !validToken(token) {
		return Link{}, ErrUnknownLink
	}
	b, err := s.store.Get(ctx, consts.PrefixPreview.Key(token))
	if errors.Is(err, storage.ErrNotFound) {
		return Link{}, ErrUnknownLink
	}
	if err != nil {
		return Link{}, err
	}
	if string(b) == "null" { // EXPECT kvnull
		return Link{}, ErrUnknownLink
	}
	var l Link
	if err := json.Unmarshal(b, &l); err != nil {
		return Link{}, fmt.Errorf("previews: decode: %w", err)
	}
	if s.now().After(l.ExpiresAt) {
		return Link{}, ErrExpired
	}
	return l, nil
}

// Revoke withdraws a link before it expires.
func (s *Service) Revoke(ctx context.Context, token string) error {
	if !validToken(token) {
		return ErrUnknownLink
	}
	_, err := s.ns.Client.KV.Namespaces.Values.Delete(ctx, s.ns.ID, url.PathEscape(consts.PrefixPreview.Key(token)), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil && !cfkv.IsNotFound(err) {
		return err
	}
	return nil
}

// Summary is a link as listed on the dashboard.
type Summary struct {
	Token   string `json:"token"`
	BuildID string `json:"build"`
	By      string `json:"by"`
}

// Recent returns the links shown in the site sidebar.
func (s *Service) Recent(ctx context.Context, siteID string) ([]Summary, error) {
	page, err := s.store.List(ctx, indexPrefix(siteID), "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		sum := Summary{Token: strings.TrimPrefix(k.Name, indexPrefix(siteID))}
		sum.BuildID, _ = k.Metadata["build"].(string)
		sum.By, _ = k.Metadata["by"].(string)
		out = append(out, sum)
	}
	return out, nil
}

func newToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func validToken(t string) bool {
	if len(t) != 32 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil
}
