// Package kvkeys defines the key layout shared by the edge Worker and the
// campaign daemon. Both sides must agree on these, so every key is built here.
package kvkeys

import (
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Static is a fixed key.
type Static string

func (s Static) String() string { return string(s) }

// SubscriberKey addresses one subscriber record on one list.
type SubscriberKey struct {
	List  string
	Email string
}

func (k SubscriberKey) String() string {
	return path.Join("sub", k.List, url.PathEscape(strings.ToLower(k.Email)))
}

// Key is the same as String; the backend adapter takes plain strings.
func (k SubscriberKey) Key() string { return k.String() }

// SubscriberPrefix is the list prefix for all subscribers of a list.
func SubscriberPrefix(list string) string { return path.Join("sub", list) + "/" }

// ListKey addresses a mailing list's settings document.
type ListKey string

func (k ListKey) Key() string      { return "list/" + string(k) }
func (k ListKey) String() string   { return k.Key() }
func (k ListKey) Segments() string { return path.Join("list", string(k), "segments") }
func (k ListKey) Members() string  { return path.Join("list", string(k), "member_count") }

// TokenKind separates the token families that live in the same namespace.
type TokenKind string

const (
	KindOptIn     TokenKind = "optin"
	KindMagicLink TokenKind = "magic"
	KindOAuth     TokenKind = "oauth-state"
)

// TokenKey addresses a single-use token.
type TokenKey struct {
	Kind TokenKind
	ID   string
}

func (k TokenKey) String() string {
	return strings.Join([]string{"tok", string(k.Kind), k.ID}, ":")
}

// SessionKey addresses a preference-center session.
type SessionKey string

func (k SessionKey) String() string { return "sess:" + string(k) }

// UserSessionsPrefix lists the index entries of one admin user's sessions.
func UserSessionsPrefix(user string) string { return "usersess:" + url.PathEscape(user) + ":" }

// CampaignKey addresses a campaign owned by a tenant.
type CampaignKey struct {
	Tenant string
	ID     string
}

func (k CampaignKey) Key() string      { return path.Join("t", k.Tenant, "campaign", k.ID) }
func (k CampaignKey) Lock() string     { return path.Join("t", k.Tenant, "lock", "campaign", k.ID) }
func (k CampaignKey) Progress() string { return path.Join("t", k.Tenant, "progress", k.ID) }
func (k CampaignKey) Log() string      { return path.Join("t", k.Tenant, "log", k.ID) }
func (k CampaignKey) Views() string    { return path.Join("t", k.Tenant, "views", k.ID) }
func (k CampaignKey) Stats() string    { return path.Join("t", k.Tenant, "stats", k.ID) }

// CampaignPrefix lists all campaigns of a tenant.
func CampaignPrefix(tenant string) string { return path.Join("t", tenant, "campaign") + "/" }

// ScheduledPrefix lists the schedule index (one entry per pending send).
func ScheduledPrefix(tenant string) string { return path.Join("t", tenant, "scheduled") + "/" }

// ScheduledKey is an entry in the schedule index, sortable by send time.
func ScheduledKey(tenant string, at time.Time, campaign string) string {
	return ScheduledPrefix(tenant) + strconv.FormatInt(at.Unix(), 10) + "-" + campaign
}

// LinkKey addresses a tracked link target.
type LinkKey struct {
	Campaign string
	Slug     string
}

func (k LinkKey) String() string { return "link:" + k.Campaign + ":" + k.Slug }

// HitsKey addresses a click tally for a tracked link.
type HitsKey struct {
	Campaign string
	Slug     string
}

func (k HitsKey) String() string { return strings.Join([]string{"hits", k.Campaign, k.Slug}, ":") }

// OpenKey records the first open of a campaign by a subscriber.
type OpenKey struct {
	Campaign   string
	Subscriber string
}

func (k OpenKey) String() string { return path.Join("open", k.Campaign, k.Subscriber) }

// Domain is a recipient mail domain (gmail.com, outlook.com, ...).
type Domain string

func (d Domain) Next() string            { return "throttle/next/" + string(d) }
func (d Domain) Quota(day string) string { return path.Join("quota", string(d), day) }
func (d Domain) Policy() string          { return "throttle/policy/" + string(d) }
func (d Domain) Backoff() string         { return "throttle/backoff/" + string(d) }
func (d Domain) String() string          { return string(d) }

// ClaimKey reserves a custom tracking subdomain for a tenant.
type ClaimKey string

func (k ClaimKey) Key() string {
	return "claim/subdomain/" + url.PathEscape(strings.ToLower(string(k)))
}

// RevokedKey marks an API token as revoked.
type RevokedKey string

func (k RevokedKey) Key() string { return "revoked/" + string(k) }

// Suppressed is the tenant's suppression list (hard bounces, complaints).
func Suppressed(tenant string) string { return path.Join("t", tenant, "suppressed") }

// RateKey is the per-client request tally for the public subscribe form.
func RateKey(ip string, window int64) string {
	return "ratelimit:" + ip + ":" + strconv.FormatInt(window, 10)
}

// Template addresses a rendered template fragment.
func Template(tenant, name, locale string) string {
	return path.Join("t", tenant, "tpl", name, locale)
}
