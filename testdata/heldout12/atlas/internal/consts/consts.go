// Package consts holds the key layout and the fixed lifetimes shared by the
// atlas services. Anything tunable per deployment lives in config instead.
package consts

import (
	"strings"
	"time"
)

// Prefix is the leading segment of a family of KV keys.
type Prefix string

// Key joins parts under the prefix with ':' separators.
func (p Prefix) Key(parts ...string) string {
	return string(p) + strings.Join(parts, ":")
}

// Key families. The routing namespace holds host:, slug:, route:; the content
// namespace holds redir:, build:, manifest:, preview:; the sessions namespace
// holds sess:, apikey:, login-attempts:; analytics holds rollup: and views:.
const (
	PrefixHost      Prefix = "host:"
	PrefixSlug      Prefix = "slug:"
	PrefixRoute     Prefix = "route:"
	PrefixSite      Prefix = "site:"
	PrefixRedirect  Prefix = "redir:"
	PrefixRedirHits Prefix = "redir-hits:"
	PrefixTempRedir Prefix = "redir-temp:"
	PrefixImport    Prefix = "import:"
	PrefixBuild     Prefix = "build:"
	PrefixManifest  Prefix = "manifest:"
	PrefixAsset     Prefix = "asset:"
	PrefixPreview   Prefix = "preview:"
	PrefixSession   Prefix = "sess:"
	PrefixAPIKey    Prefix = "apikey:"
	PrefixKeyCache  Prefix = "apikey-cache:"
	PrefixLogin     Prefix = "login-attempts:"
	PrefixRollup    Prefix = "rollup:"
	PrefixViews     Prefix = "views:"
	PrefixAudit     Prefix = "audit:"
	PrefixBanner    Prefix = "banner:"
	PrefixJob       Prefix = "job:"
)

// Singleton keys.
const (
	KeyLastPublish    = "builds:last-published"
	KeyRevokedAPIKeys = "apikey:revoked"
	KeyHeartbeat      = "analytics:heartbeat"
	KeyProbe          = "ops:probe"
)

// Lifetimes that are part of the product contract rather than deployment
// tuning.
const (
	HostCacheTTL    = 10 * time.Minute
	LoginWindow     = 15 * time.Minute
	RateWindow      = time.Minute
	RateKeyTTL      = 2 * time.Minute
	DeployBannerTTL = 30 * time.Second
	AuditRetention  = 90 * 24 * time.Hour
	ProbeTTL        = 5 * time.Minute
	KeyCacheFloor   = 15 * time.Second
)

// Paging limits for list operations.
const (
	ListPageSize = 1000
	BulkMaxPairs = 10000
)
