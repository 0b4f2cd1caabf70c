// Package keys holds every KV key layout godwit uses. Layout and lifetime of
// each kind of record live in one table so that nothing builds keys by hand.
//
// Kinds marked "account" are stored through a kvstore.Tenant and get the
// account prefix from there.
package keys

import (
	"fmt"
	"strings"
	"time"
)

// Kind names a family of records.
type Kind uint8

const (
	Subscriber       Kind = iota + 1 // account: sub/<email-hash>
	SubscriberPrefs                  // account: prefs/<email-hash>
	ListMembers                      // account: list/<list-id>/members
	ListMeta                         // account: list/<list-id>/meta
	ListSlug                         // list-slug/<slug>
	Suppression                      // account: suppress/<email-hash>
	OptInToken                       // optin/<token>
	OptInResend                      // optin-resend/<account>/<email-hash>
	OptInDone                        // optin-done/<token>
	UnsubLink                        // unsub/<token>
	SendQuota                        // account: quota/<yyyy-mm-dd>
	SignupRate                       // ratelimit/signup/<ip>
	PlanCaps                         // plan/<plan>
	AccountCaps                      // caps-override/<account>
	AdminSession                     // admin-sess/<user>/<session-id>
	AdminUser                        // admin-user/<user>
	AdminCredential                  // admin-cred/<user>
	LoginAttempts                    // login-attempts/<user>
	MagicLink                        // magic/<code>
	CSRF                             // csrf/<session-id>
	RefreshToken                     // refresh/<token>
	RevokedToken                     // revoked/<jti>
	CampaignStats                    // campaign-stats/<campaign>/counts
	CampaignStatus                   // campaign-status/<campaign>
	CampaignActivity                 // campaign-activity/<campaign>
	CampaignLock                     // lock/campaign/<campaign>
	CampaignViews                    // views/<campaign>
	LinkHits                         // link-hits/<link-id>
	LinkTarget                       // link/<link-id>
	PreviewLink                      // preview/<campaign>/<token>
	BounceCount                      // bounce-count/<email-hash>
	BounceLog                        // bounce-log/<email-hash>
	ImportProgress                   // import/<job>/progress
	DomainStatus                     // domain-status/<domain>
	Template                         // template/<template-id>
)

// Scheme is the layout of one kind of key.
type Scheme struct {
	Format string
	TTL    time.Duration // zero: no expiry
}

var schemes = map[Kind]Scheme{
	Subscriber:       {Format: "sub/%s"},
	SubscriberPrefs:  {Format: "prefs/%s"},
	ListMembers:      {Format: "list/%s/members"},
	ListMeta:         {Format: "list/%s/meta"},
	ListSlug:         {Format: "list-slug/%s"},
	Suppression:      {Format: "suppress/%s"},
	OptInToken:       {Format: "optin/%s", TTL: 72 * time.Hour},
	OptInResend:      {Format: "optin-resend/%s/%s", TTL: 45 * time.Second}, // EXPECT kvttl
	OptInDone:        {Format: "optin-done/%s", TTL: 30 * time.Second},
	UnsubLink:        {Format: "unsub/%s", TTL: 180 * 24 * time.Hour},
	SendQuota:        {Format: "quota/%s", TTL: 48 * time.Hour},
	SignupRate:       {Format: "ratelimit/signup/%s", TTL: time.Minute},
	PlanCaps:         {Format: "plan/%s"},
	AccountCaps:      {Format: "caps-override/%s"},
	AdminSession:     {Format: "admin-sess/%s/%s", TTL: 12 * time.Hour},
	AdminUser:        {Format: "admin-user/%s"},
	AdminCredential:  {Format: "admin-cred/%s"},
	LoginAttempts:    {Format: "login-attempts/%s", TTL: 15 * time.Minute},
	MagicLink:        {Format: "magic/%s", TTL: 10 * time.Minute},
	CSRF:             {Format: "csrf/%s", TTL: 12 * time.Hour},
	RefreshToken:     {Format: "refresh/%s", TTL: 30 * 24 * time.Hour},
	RevokedToken:     {Format: "revoked/%s", TTL: 24 * time.Hour},
	CampaignStats:    {Format: "campaign-stats/%s/counts", TTL: 7 * 24 * time.Hour},
	CampaignStatus:   {Format: "campaign-status/%s", TTL: 30 * 24 * time.Hour},
	CampaignActivity: {Format: "campaign-activity/%s", TTL: 7 * 24 * time.Hour},
	CampaignLock:     {Format: "lock/campaign/%s", TTL: 10 * time.Minute},
	CampaignViews:    {Format: "views/%s"},
	LinkHits:         {Format: "link-hits/%s"},
	LinkTarget:       {Format: "link/%s"},
	PreviewLink:      {Format: "preview/%s/%s"},
	BounceCount:      {Format: "bounce-count/%s", TTL: 30 * 24 * time.Hour},
	BounceLog:        {Format: "bounce-log/%s", TTL: 30 * 24 * time.Hour},
	ImportProgress:   {Format: "import/%s/progress", TTL: 24 * time.Hour},
	DomainStatus:     {Format: "domain-status/%s"},
	Template:         {Format: "template/%s"},
}

func lookup(k Kind) Scheme {
	s, ok := schemes[k]
	if !ok {
		panic(fmt.Sprintf("keys: no scheme for kind %d", k))
	}
	return s
}

// Build renders the key of kind k.
func Build(k Kind, args ...any) string {
	return fmt.Sprintf(lookup(k).Format, args...)
}

// TTL is the lifetime of records of kind k, zero when they do not expire.
func TTL(k Kind) time.Duration {
	return lookup(k).TTL
}

// Prefix renders the part of the layout before its last placeholder, for
// listing every record of kind k under the given leading arguments.
func Prefix(k Kind, args ...any) string {
	f := lookup(k).Format
	i := strings.LastIndex(f, "%s")
	if i < 0 {
		return f
	}
	return fmt.Sprintf(f[:i], args...)
}
