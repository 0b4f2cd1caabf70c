// Package billing exposes payment links as go-kit endpoints. Links are
// created in Postgres by the invoicing core; the API projects them to KV so
// the portal Worker can render a pay page without a database round trip.
package billing

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/ledgerline/treecreeper/internal/kvedge"
	"github.com/ledgerline/treecreeper/internal/telemetry"
)

// PaymentLink is the KV projection of a payment link.
type PaymentLink struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	InvoiceID  string    `json:"invoice_id"`
	AmountDue  int64     `json:"amount_due"`
	Currency   string    `json:"currency"`
	ExpiresAt  time.Time `json:"expires_at"`
	VanitySlug string    `json:"vanity_slug,omitempty"`
}

// CreateLinkRequest is decoded from POST /v1/links.
type CreateLinkRequest struct {
	Tenant    string    `json:"-"`
	InvoiceID string    `json:"invoice_id"`
	AmountDue int64     `json:"amount_due"`
	Currency  string    `json:"currency"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CreateLinkResponse is encoded back to the caller.
type CreateLinkResponse struct {
	Link PaymentLink `json:"link"`
	URL  string      `json:"url"`
}

// ClaimSlugRequest asks for a human-friendly alias of a link.
type ClaimSlugRequest struct {
	Tenant string `json:"-"`
	LinkID string `json:"link_id"`
	Slug   string `json:"slug"`
}

// ClaimSlugResponse confirms the alias.
type ClaimSlugResponse struct {
	Slug string `json:"slug"`
}

// GetLinkRequest reads a link by ID.
type GetLinkRequest struct {
	Tenant string
	LinkID string
}

// ErrSlugTaken is returned when a vanity slug already points somewhere.
var ErrSlugTaken = errors.New("billing: slug already taken")

// LinkSource loads links from Postgres when KV does not have them.
type LinkSource interface {
	LoadLink(ctx context.Context, tenant, id string) (PaymentLink, error)
}

func linkKey(tenant, id string) string   { return "link:" + tenant + ":" + id }
func slugKey(tenant, slug string) string { return "slug:" + tenant + ":" + strings.ToLower(slug) }

func newLinkID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// MakeCreateLinkEndpoint projects a freshly created link to KV. The link
// lives in KV exactly as long as it can be paid.
func MakeCreateLinkEndpoint(ns *kvedge.Namespace, baseURL string) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(CreateLinkRequest)
		link := PaymentLink{
			ID:        newLinkID(),
			Tenant:    req.Tenant,
			InvoiceID: req.InvoiceID,
			AmountDue: req.AmountDue,
			Currency:  req.Currency,
			ExpiresAt: req.ExpiresAt,
		}
		body, err := json.Marshal(link)
		if err != nil {
			return nil, err
		}
		ttl := time.Until(req.ExpiresAt)
		if err := ns.Put(ctx, linkKey(link.Tenant, link.ID), body, ttl); err != nil { // EXPECT kvttl
			return nil, err
		}
		telemetry.EndpointRequests.WithLabelValues("create_link", "ok").Inc()
		return CreateLinkResponse{Link: link, URL: fmt.Sprintf("%s/pay/%s/%s", baseURL, link.Tenant, link.ID)}, nil
	}
}

// MakeRenewLinkEndpoint re-projects an existing link after the invoice's
// due date moved. The lifetime is clamped by PutCached.
func MakeRenewLinkEndpoint(ns *kvedge.Namespace, src LinkSource) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(GetLinkRequest)
		link, err := src.LoadLink(ctx, req.Tenant, req.LinkID)
		if err != nil {
			return nil, err
		}
		body, _ := json.Marshal(link)
		if err := ns.PutCached(ctx, linkKey(link.Tenant, link.ID), body, time.Until(link.ExpiresAt)); err != nil {
			return nil, err
		}
		return CreateLinkResponse{Link: link}, nil
	}
}

// MakeGetLinkEndpoint is a read-through cache in front of Postgres.
func MakeGetLinkEndpoint(ns *kvedge.Namespace, src LinkSource) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(GetLinkRequest)
		key := linkKey(req.Tenant, req.LinkID)
		raw, err := ns.Get(ctx, key)
		switch {
		case err == nil:
			var link PaymentLink
			if err := json.Unmarshal(raw, &link); err != nil {
				return nil, err
			}
			return CreateLinkResponse{Link: link}, nil
		case !errors.Is(err, kvedge.ErrNotFound):
			return nil, err
		}
		link, err := src.LoadLink(ctx, req.Tenant, req.LinkID)
		if err != nil {
			return nil, err
		}
		body, _ := json.Marshal(link)
		_ = ns.Put(ctx, key, body, 10*time.Minute)
		return CreateLinkResponse{Link: link}, nil
	}
}

// MakeClaimSlugEndpoint reserves a vanity slug for a link.
func MakeClaimSlugEndpoint(ns *kvedge.Namespace) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(ClaimSlugRequest)
		key := slugKey(req.Tenant, req.Slug)
		if _, err := ns.Get(ctx, key); err == nil {
			return nil, ErrSlugTaken
		} else if !errors.Is(err, kvedge.ErrNotFound) {
			return nil, err
		}
		if err := ns.Put(ctx, key, []byte(req.LinkID), 0); err != nil { // EXPECT kvrace
			return nil, err
		}
		return ClaimSlugResponse{Slug: req.Slug}, nil
	}
}
