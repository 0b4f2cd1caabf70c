// Package paylinks manages hosted payment links: short public URLs that
// let a customer pay an invoice without signing in.
package paylinks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/otter/internal/httpx"
	"example.com/otter/internal/keys"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/repo"
)

// Link is a payment link.
type Link struct {
	CreateInput
	ID     string `json:"id"`
	Status string `json:"status"`
}

type linkMeta struct {
	ETag   int64  `json:"etag"`
	Status string `json:"status"`
}

type ViewRecorder func(ctx context.Context, linkID string) error

type Deps struct {
	Links                   kvport.MetaStore
	Slugs, Brands, Previews kvport.Store
	Views                   ViewRecorder
	Log                     *slog.Logger
}

type Service struct {
	Deps
	now func() time.Time
}

func NewService(d Deps) *Service { return &Service{Deps: d, now: time.Now} }

var (
	ErrSlugTaken    = httpx.Errorf(http.StatusConflict, "slug_taken", "that link name is already in use")
	ErrPrecondition = httpx.Errorf(http.StatusPreconditionFailed, "precondition_failed", "the link was changed by someone else")
	ErrExpired      = httpx.Errorf(http.StatusGone, "expired", "the link has expired")
)

func linkKey(tenant, id string) string { return keys.Clean(tenant) + ":" + id }

type CreateInput struct {
	Tenant      string    `json:"tenant"`
	Slug        string    `json:"slug"`
	InvoiceID   string    `json:"invoice_id"`
	AmountMinor int64     `json:"amount_minor"`
	Currency    string    `json:"currency"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func (s *Service) Create(ctx context.Context, in CreateInput) (Link, error) {
	if !in.ExpiresAt.After(s.now()) {
		return Link{}, ErrExpired
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	l := Link{CreateInput: in, ID: "pl_" + hex.EncodeToString(b[:]), Status: "active"}
	if l.Slug = strings.ToLower(keys.Clean(in.Slug)); l.Slug == "" {
		l.Slug = strings.TrimPrefix(l.ID, "pl_")
	}
	if _, err := s.Slugs.Get(ctx, l.Slug); err == nil {
		return Link{}, ErrSlugTaken
	} else if !kvport.IsNotFound(err) {
		return Link{}, err
	}
	ttl := max(time.Until(l.ExpiresAt), 10*time.Second) // EXPECT kvttl
	body, _ := json.Marshal(l)
	if err := s.Links.Put(ctx, linkKey(l.Tenant, l.ID), body, &kvport.PutOpts{TTL: ttl, Metadata: linkMeta{ETag: 1, Status: l.Status}}); err != nil {
		return Link{}, err
	}
	if err := s.Slugs.Put(ctx, l.Slug, []byte(linkKey(l.Tenant, l.ID)), &kvport.PutOpts{TTL: ttl}); err != nil { // EXPECT kvrace
		return Link{}, fmt.Errorf("claim slug: %w", err)
	}
	return l, nil
}

type UpdateAmountInput struct {
	Tenant      string `json:"tenant"`
	ID          string `json:"id"`
	IfMatch     int64  `json:"if_match"`
	AmountMinor int64  `json:"amount_minor"`
}

// UpdateAmount changes a link's amount if nobody changed it since the caller read it.
func (s *Service) UpdateAmount(ctx context.Context, in UpdateAmountInput) (Link, error) {
	key := linkKey(in.Tenant, in.ID)
	raw, rawMeta, err := s.Links.GetWithMeta(ctx, key)
	if kvport.IsNotFound(err) {
		return Link{}, repo.ErrNotFound
	} else if err != nil {
		return Link{}, err
	}
	var m linkMeta
	var l Link
	if err := errors.Join(json.Unmarshal(rawMeta, &m), json.Unmarshal(raw, &l)); err != nil {
		return Link{}, err
	}
	if m.ETag != in.IfMatch {
		return Link{}, ErrPrecondition
	}
	if time.Until(l.ExpiresAt) < time.Minute {
		return Link{}, ErrExpired
	}
	l.AmountMinor = in.AmountMinor
	body, _ := json.Marshal(l)
	next := &kvport.PutOpts{ExpiresAt: l.ExpiresAt.Unix(), Metadata: linkMeta{ETag: m.ETag + 1, Status: l.Status}}
	if err := s.Links.Put(ctx, key, body, next); err != nil { // EXPECT kvrace
		return Link{}, err
	}
	return l, nil
}

// Resolve returns the link behind a public slug.
func (s *Service) Resolve(ctx context.Context, slug string) (Link, error) {
	ref, err := s.Slugs.Get(ctx, strings.ToLower(slug))
	if kvport.IsNotFound(err) {
		return Link{}, repo.ErrNotFound
	} else if err != nil {
		return Link{}, err
	}
	raw, err := s.Links.Get(ctx, string(ref))
	if kvport.IsNotFound(err) {
		return Link{}, ErrExpired
	} else if err != nil {
		return Link{}, err
	}
	var l Link
	if err := json.Unmarshal(raw, &l); err != nil {
		return Link{}, err
	}
	if l.Status != "active" {
		return Link{}, ErrExpired
	}
	if err := s.Views(ctx, l.ID); err != nil {
		s.Log.Warn("record view", "link", l.ID, "err", err)
	}
	return l, nil
}

// Branding is how a tenant's payment pages look.
type Branding struct {
	Name    string `json:"name"`
	LogoURL string `json:"logo_url"`
	Accent  string `json:"accent"`
}

func (s *Service) Branding(ctx context.Context, tenant string) Branding {
	raw, _ := s.Brands.Get(ctx, keys.Clean(tenant)) // EXPECT kvnull
	var b Branding
	if err := json.Unmarshal(raw, &b); err != nil {
		s.Log.Debug("branding", "tenant", tenant, "err", err)
	}
	return b
}

// Preview returns the HTML preview of a link, rendering it on a miss.
func (s *Service) Preview(ctx context.Context, l Link) ([]byte, error) {
	if html, err := s.Previews.Get(ctx, l.ID); err == nil {
		return html, nil
	} else if !kvport.IsNotFound(err) {
		return nil, err
	}
	b := s.Branding(ctx, l.Tenant)
	html := fmt.Appendf(nil, `<div class="pl" style="--accent:%s"><img src="%s" alt=""><h1>%s</h1><p>%d.%02d %s</p></div>`,
		b.Accent, b.LogoURL, b.Name, l.AmountMinor/100, l.AmountMinor%100, l.Currency)
	return html, s.Previews.Put(ctx, l.ID, html, nil)
}

// ExpiringSoon returns the ids of the tenant's links that expire within
// window, reading at most 20 pages.
func (s *Service) ExpiringSoon(ctx context.Context, tenant string, window time.Duration) ([]string, error) {
	deadline := s.now().Add(window).Unix()
	var out []string
	page, err := s.Links.List(ctx, kvport.ListQuery{Prefix: keys.Clean(tenant) + ":", Limit: 1000})
	for i := 0; err == nil && i < 20; i++ {
		for _, k := range page.Keys {
			if k.Expiration > 0 && k.Expiration <= deadline {
				out = append(out, k.Name)
			}
		}
		if page.Complete {
			return out, nil
		}
		page, err = s.Links.List(ctx, kvport.ListQuery{Cursor: page.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	if err != nil {
		return nil, err
	}
	return out, errors.New("paylinks: too many links to scan")
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.Handle("POST /v1/links", httpx.JSON(s.Create))
	mux.Handle("PATCH /v1/links/amount", httpx.JSON(s.UpdateAmount))
	mux.HandleFunc("GET /l/{slug}", func(w http.ResponseWriter, r *http.Request) {
		l, err := s.Resolve(r.Context(), r.PathValue("slug"))
		var html []byte
		if err == nil {
			html, err = s.Preview(r.Context(), l)
		}
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(html)
	})
}
