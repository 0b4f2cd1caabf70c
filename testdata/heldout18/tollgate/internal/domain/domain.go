// Package domain holds the marketplace's value objects: tenants, plans, API
// keys, usage, subscriptions, webhooks and access lists.
package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Identifier types, usable as keys in generic stores.
type (
	TenantID   string
	KeyID      string
	PlanID     string
	EndpointID string
	DeliveryID string
	LinkToken  string
	SessionID  string
)

// NewToken returns n random bytes as lower-case base32 without padding.
func NewToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("domain: crypto/rand: %v", err))
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// HashSecret returns the hex SHA-256 of an API key secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Scope is a permission carried by an API key.
type Scope string

const (
	ScopeRead    Scope = "read"
	ScopeWrite   Scope = "write"
	ScopeBilling Scope = "billing"
	ScopeAdmin   Scope = "admin"
)

var knownScopes = []Scope{ScopeRead, ScopeWrite, ScopeBilling, ScopeAdmin}

// Plan is a purchasable tier in the catalog.
type Plan struct {
	ID            PlanID   `json:"id"`
	Name          string   `json:"name"`
	PriceCents    int64    `json:"price_cents"`
	MonthlyQuota  int64    `json:"monthly_quota"`
	RatePerMinute int      `json:"rate_per_minute"`
	Features      []string `json:"features,omitempty"`
	Public        bool     `json:"public"`
}

// Validate checks the plan's invariants.
func (p Plan) Validate() error {
	switch {
	case p.ID == "":
		return errors.New("plan: id is required")
	case p.PriceCents < 0:
		return fmt.Errorf("plan %s: negative price", p.ID)
	case p.RatePerMinute <= 0:
		return fmt.Errorf("plan %s: rate_per_minute must be positive", p.ID)
	}
	return nil
}

// Catalog is the published list of plans.
type Catalog struct {
	Plans     []Plan    `json:"plans"`
	ETag      string    `json:"etag"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Find returns the plan with id.
func (c Catalog) Find(id PlanID) (Plan, bool) {
	if i := slices.IndexFunc(c.Plans, func(p Plan) bool { return p.ID == id }); i >= 0 {
		return c.Plans[i], true
	}
	return Plan{}, false
}

// ComputeETag derives a weak validator from the catalog's content.
func (c Catalog) ComputeETag() string {
	h := sha256.New()
	for _, p := range c.Plans {
		fmt.Fprintf(h, "%s|%d|%d|%d;", p.ID, p.PriceCents, p.MonthlyQuota, p.RatePerMinute)
	}
	return `W/"` + hex.EncodeToString(h.Sum(nil))[:16] + `"`
}

// Validate checks every plan.
func (c Catalog) Validate() error {
	var errs []error
	for _, p := range c.Plans {
		errs = append(errs, p.Validate())
	}
	return errors.Join(errs...)
}

// APIKey is a credential issued to a tenant.
type APIKey struct {
	ID         KeyID     `json:"id"`
	TenantID   TenantID  `json:"tenant_id"`
	SecretHash string    `json:"secret_hash"`
	Scopes     []Scope   `json:"scopes"`
	Plan       PlanID    `json:"plan"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Version    int64     `json:"version"`
	Deleted    bool      `json:"deleted,omitempty"`
	DeletedAt  time.Time `json:"deleted_at,omitzero"`
}

// Validate checks the key's invariants.
func (k APIKey) Validate() error {
	if k.ID == "" || k.TenantID == "" {
		return errors.New("apikey: id and tenant are required")
	}
	if !k.Deleted && k.SecretHash == "" {
		return errors.New("apikey: secret hash is required")
	}
	for _, s := range k.Scopes {
		if !slices.Contains(knownScopes, s) {
			return fmt.Errorf("apikey: unknown scope %q", s)
		}
	}
	return nil
}

// Has reports whether the key carries scope s (admin implies everything).
func (k APIKey) Has(s Scope) bool {
	return slices.Contains(k.Scopes, s) || slices.Contains(k.Scopes, ScopeAdmin)
}

// UsageRecord is one tenant's metered usage in one billing period.
type UsageRecord struct {
	TenantID TenantID `json:"tenant_id"`
	Period   string   `json:"period"`
	Calls    int64    `json:"calls"`
	Bytes    int64    `json:"bytes"`
}

// PeriodStatus tracks a billing period's lifecycle.
type PeriodStatus string

const (
	PeriodOpen     PeriodStatus = "open"
	PeriodInvoiced PeriodStatus = "invoiced"
)

// BillingPeriod is one tenant's billing window.
type BillingPeriod struct {
	TenantID TenantID     `json:"tenant_id"`
	Start    time.Time    `json:"start"`
	End      time.Time    `json:"end"`
	Status   PeriodStatus `json:"status"`
	Invoice  string       `json:"invoice,omitempty"`
}

// Key returns the period's month label, e.g. 2025-03.
func (b BillingPeriod) Key() string { return b.Start.UTC().Format("2006-01") }

// Validate checks the period's invariants.
func (b BillingPeriod) Validate() error {
	if b.TenantID == "" {
		return errors.New("period: tenant is required")
	}
	if !b.End.After(b.Start) {
		return errors.New("period: end must follow start")
	}
	return nil
}

// SubStatus is the state of a subscription.
type SubStatus string

const (
	SubActive   SubStatus = "active"
	SubChanging SubStatus = "changing"
	SubCanceled SubStatus = "canceled"
)

// Subscription binds a tenant to a plan.
type Subscription struct {
	TenantID    TenantID  `json:"tenant_id"`
	PlanID      PlanID    `json:"plan_id"`
	Status      SubStatus `json:"status"`
	ETag        string    `json:"etag"`
	RenewsAt    time.Time `json:"renews_at"`
	PendingPlan PlanID    `json:"pending_plan,omitempty"`
}

// WebhookEndpoint is a tenant-registered callback URL.
type WebhookEndpoint struct {
	ID     EndpointID `json:"id"`
	URL    string     `json:"url"`
	Events []string   `json:"events"`
	Secret string     `json:"secret"`
}

// Validate checks the endpoint URL.
func (e WebhookEndpoint) Validate() error {
	u, err := url.Parse(e.URL)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("webhook: %s must use https", e.URL)
	}
	return nil
}

// EndpointSet is every endpoint a tenant registered.
type EndpointSet struct {
	TenantID  TenantID          `json:"tenant_id"`
	Endpoints []WebhookEndpoint `json:"endpoints"`
}

// Delivery is one attempt record for a webhook event.
type Delivery struct {
	ID         DeliveryID `json:"id"`
	EndpointID EndpointID `json:"endpoint_id"`
	TenantID   TenantID   `json:"tenant_id"`
	Event      string     `json:"event"`
	Payload    []byte     `json:"payload"`
	Attempts   int        `json:"attempts"`
	Status     string     `json:"status"`
	LastError  string     `json:"last_error,omitempty"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// ListKind distinguishes allow lists from deny lists.
type ListKind string

const (
	Allow ListKind = "allow"
	Deny  ListKind = "deny"
)

// AccessList is a tenant's set of CIDR prefixes of one kind.
type AccessList struct {
	TenantID TenantID `json:"tenant_id"`
	Kind     ListKind `json:"kind"`
	Entries  []string `json:"entries"`
	Version  int64    `json:"version"`
}

// Validate checks that every entry parses as a prefix.
func (a AccessList) Validate() error {
	for _, e := range a.Entries {
		if _, err := netip.ParsePrefix(e); err != nil {
			return fmt.Errorf("access list: %q: %w", e, err)
		}
	}
	return nil
}

// Contains reports whether addr falls in any entry.
func (a AccessList) Contains(addr netip.Addr) bool {
	for _, e := range a.Entries {
		if p, err := netip.ParsePrefix(e); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

// PortalSession is a developer-portal login.
type PortalSession struct {
	ID        SessionID `json:"id"`
	UserEmail string    `json:"user_email"`
	TenantID  TenantID  `json:"tenant_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// ShareLink exposes a usage report without authentication until it expires.
type ShareLink struct {
	Token     LinkToken `json:"token"`
	TenantID  TenantID  `json:"tenant_id"`
	ReportID  string    `json:"report_id"`
	ExpiresAt time.Time `json:"expires_at"`
	Views     int       `json:"views"`
}
