// Package keys defines the KV key layout. Every key family has its own type
// so that a session ID can never be passed where a licence ID is expected.
package keys

import (
	"net/url"
	"path"
	"strings"
	"time"
)

// Static is a fixed key such as a status or configuration document.
type Static string

func (s Static) String() string { return string(s) }

// Raw wraps a key name that came back from a list call.
type Raw string

func (r Raw) String() string { return string(r) }

// LicenseID identifies a licence; its key is license/<id>.
type LicenseID string

// Key returns the KV key of the licence record.
func (id LicenseID) Key() string    { return path.Join("license", string(id)) }
func (id LicenseID) String() string { return id.Key() }

// LicensePrefix is the list prefix of all licence records.
const LicensePrefix = "license/"

// MachineKey addresses one activation of a licence on a machine.
type MachineKey struct {
	License     LicenseID
	Fingerprint string
}

func (k MachineKey) String() string {
	return strings.Join([]string{"machine", string(k.License), k.Fingerprint}, ":")
}

// SeenKey records when a machine last checked in.
type SeenKey MachineKey

func (k SeenKey) String() string {
	return strings.Join([]string{"seen", string(k.License), k.Fingerprint}, ":")
}

// GrantKey addresses an offline activation grant.
type GrantKey struct {
	License LicenseID
	Machine string
}

func (k GrantKey) String() string {
	return path.Join("grant", string(k.License), url.PathEscape(k.Machine))
}

// RevokedGrant lists an offline grant as revoked.
type RevokedGrant string

func (g RevokedGrant) String() string { return "revoked/grant/" + string(g) }

// TrialKey addresses the trial of a product on one machine; ReminderKey
// schedules its "trial ends soon" email.
type (
	TrialKey    struct{ Product, Fingerprint string }
	ReminderKey TrialKey
)

func (k TrialKey) String() string    { return path.Join("trial", k.Product, k.Fingerprint) }
func (k ReminderKey) String() string { return path.Join("reminder", k.Product, k.Fingerprint) }

// SessionID identifies a customer portal session.
type SessionID string

func (id SessionID) String() string { return "sess/" + string(id) }

// SessionIndex lists the sessions of one customer.
type SessionIndex struct {
	Customer string
	Session  SessionID
}

func (k SessionIndex) String() string { return path.Join("sess-index", k.Customer, string(k.Session)) }

// SessionIndexPrefix is the list prefix of a customer's sessions.
func SessionIndexPrefix(customer string) string { return path.Join("sess-index", customer) + "/" }

// One-time and long-lived portal tokens.
type (
	MagicLink    string
	RefreshToken string
	OTP          struct{ Customer, Purpose string }
)

func (m MagicLink) String() string    { return "magic/" + string(m) }
func (t RefreshToken) String() string { return "refresh/" + string(t) }
func (o OTP) String() string          { return strings.Join([]string{"otp", o.Customer, o.Purpose}, "/") }

// Email maps a normalised email address to a customer ID.
type Email string

func (e Email) String() string {
	return "customer-email/" + url.PathEscape(strings.ToLower(strings.TrimSpace(string(e))))
}

// Customer addresses a customer profile.
type Customer string

func (c Customer) String() string { return "customer/" + string(c) }

// Entitlement addresses the feature set bought by a customer.
type Entitlement struct{ Customer, Product string }

func (e Entitlement) String() string { return path.Join("entitlement", e.Customer, e.Product) }

// Audit addresses the audit trail of a licence.
type Audit LicenseID

func (a Audit) String() string { return "audit/" + string(a) }

// WebhookEvent remembers a processed payment-provider event.
type WebhookEvent string

func (e WebhookEvent) String() string { return "webhook-event/" + url.PathEscape(string(e)) }

// Lock names a cluster-wide job lock.
type Lock string

func (l Lock) String() string { return "lock/" + string(l) }

// LoginThrottle keys the failed-login budget of a client address.
type LoginThrottle string

func (t LoginThrottle) String() string { return "ratelimit:login:" + string(t) }

// DownloadViews keys the download counter of a release.
type DownloadViews struct{ Product, Version string }

func (d DownloadViews) String() string {
	return strings.Join([]string{"views", d.Product, d.Version}, ":")
}

// Quota keys the per-day validation quota of a licence.
type Quota struct {
	License LicenseID
	Day     time.Time
}

func (q Quota) String() string {
	return strings.Join([]string{"quota", string(q.License), q.Day.Format("20060102")}, ":")
}

// Attempts keys the failed activation attempts of a licence.
type Attempts LicenseID

func (a Attempts) String() string { return "attempts:" + string(a) }

// Hits keys the validation hit total of a licence.
func Hits(id LicenseID) string { return "hits:" + string(id) }

// Release keys the release manifest of a product channel.
func Release(product, channel string) string { return path.Join("release", product, channel) }
