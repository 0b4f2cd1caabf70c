// Package keys defines the KV key layout shared by the edge Worker and the
// admin tooling. Every key written by plover starts with one of the prefixes
// below so that listings by prefix stay cheap.
package keys

import (
	"strconv"
	"strings"
)

// Prefix is the constant leading part of a family of keys.
type Prefix string

const (
	RunnerToken    Prefix = "token:runner:"
	RunnerSeen     Prefix = "token:seen:"
	RegCode        Prefix = "auth:regcode:"
	APIKey         Prefix = "auth:apikey:"
	Revoked        Prefix = "auth:revoked:"
	OAuthState     Prefix = "auth:oauth-state:"
	Attempts       Prefix = "verify:attempts:"
	ProjectSlug    Prefix = "project:slug:"
	ProjectMeta    Prefix = "project:meta:"
	ProjectSetting Prefix = "project:settings:"
	ProjectStats   Prefix = "project:stats:"
	CacheEntry     Prefix = "cache:entry:"
	CacheStaging   Prefix = "cache:staging:"
	CacheManifest  Prefix = "cache:manifest:"
	CacheHits      Prefix = "cache:hits:"
	Artifact       Prefix = "artifact:"
	BuildLog       Prefix = "build:log:"
	Badge          Prefix = "badge:svg:"
	BadgeIndex     Prefix = "badge:index:"
	BadgeViews     Prefix = "badge:views:"
	OrgRunning     Prefix = "org:running:"
	OrgQuota       Prefix = "quota:org:"
	OrgRateLimit   Prefix = "ratelimit:org:"
	Upload         Prefix = "upload:"
)

// With returns the key for id under p.
func (p Prefix) With(id string) string { return string(p) + id }

// Trim strips p from name.
func (p Prefix) Trim(name string) string { return strings.TrimPrefix(name, string(p)) }

// Key is a fully built key that needs no further parts.
type Key string

func (k Key) String() string { return string(k) }

// TokenKey addresses a runner registration token.
type TokenKey struct{ ID string }

func (k TokenKey) String() string { return RunnerToken.With(k.ID) }

// SeenKey addresses the last-seen stamp of a runner token.
type SeenKey struct{ ID string }

func (k SeenKey) String() string { return RunnerSeen.With(k.ID) }

// RegCodeKey addresses a one-time runner registration code.
type RegCodeKey struct{ Code string }

func (k RegCodeKey) String() string { return RegCode.With(k.Code) }

// APIKeyKey addresses a project API key by the hash of its secret.
type APIKeyKey struct{ Hash string }

func (k APIKeyKey) String() string { return APIKey.With(k.Hash) }

// CacheKey addresses a cache entry by project and content hash.
type CacheKey struct {
	Project string
	Hash    string
}

func (k CacheKey) String() string { return CacheEntry.With(k.Project + "/" + k.Hash) }

// Staging returns the key the uploader writes before the entry is promoted.
func (k CacheKey) Staging() string { return CacheStaging.With(k.Project + "/" + k.Hash) }

// ManifestKey addresses the list of cache entries for a branch.
type ManifestKey struct {
	Project string
	Branch  string
}

func (k ManifestKey) String() string { return CacheManifest.With(k.Project + "/" + k.Branch) }

// BadgeKey addresses the rendered status badge of a branch.
type BadgeKey struct {
	Project string
	Branch  string
}

func (k BadgeKey) String() string { return Badge.With(k.Project + "/" + k.Branch) }

// QuotaKey addresses the build-minute quota of an organisation for a month
// formatted as YYYYMM.
type QuotaKey struct {
	Org   string
	Month int
}

func (k QuotaKey) String() string {
	return OrgQuota.With(k.Org + ":" + strconv.Itoa(k.Month))
}
