// Package keys defines the edge key space shared by the operator and the
// router Worker. Both sides must agree on every prefix here.
package keys

import (
	"fmt"
	"net/url"
	"strings"
)

const (
	SitePrefix         = "site:"
	RoutePrefix        = "route:"
	RedirectPrefix     = "redir:"
	MaintenancePrefix  = "maint:"
	MaintPagePrefix    = "maint-page:"
	PreviewPrefix      = "preview:"
	PreviewTokenPrefix = "preview-token:"
	PreviewSessPrefix  = "psess:"
	DomainVerifyPrefix = "domain-verify:"
	HostClaimPrefix    = "host-claim:"
	HostPrefix         = "host:"
	TLSPrefix          = "tls:"
	TLSTenantPrefix    = "tls-tenant:"
	TLSRenewPrefix     = "tls-renew:"
	MagicLinkPrefix    = "magic:"
	OAuthStatePrefix   = "oauth-state:"
)

// Singleton keys.
const (
	ActiveMaintenance  = "maint:active-sites"
	RevokedShareTokens = "revoked:preview-share-tokens"
	TLSLastSync        = "meta:tls-last-sync"
	TLSSyncCount       = "meta:tls-sync-count"
	PreviewsChangedAt  = "meta:previews-changed-at"
	JanitorLastRun     = "meta:janitor-last-run"
	JanitorDeleted     = "meta:janitor-deleted-count"
	RouterLastRequest  = "meta:router-last-request"
	RouterDeploySeen   = "meta:router-deploy-seen"
)

// Normalize lower-cases a hostname and strips a trailing dot and port.
func Normalize(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return host
}

func Site(host string) string { return SitePrefix + Normalize(host) }

// Route keys are the hostname followed by the escaped path prefix, so that a
// list with prefix "route:<host>" returns every route of a site.
func Route(host, pathPrefix string) string {
	if !strings.HasPrefix(pathPrefix, "/") {
		pathPrefix = "/" + pathPrefix
	}
	return RoutePrefix + Normalize(host) + url.PathEscape(pathPrefix)
}

func SiteRoutes(host string) string { return RoutePrefix + Normalize(host) }

func RouteIndex(namespace, site string) string {
	return fmt.Sprintf("site-routes:%s/%s", namespace, site)
}

func Redirect(host, from string) string { return RedirectPrefix + Normalize(host) + from }

func SiteRedirects(host string) string { return RedirectPrefix + Normalize(host) }

func Maintenance(host string) string { return MaintenancePrefix + Normalize(host) }

func MaintenancePage(host string) string { return MaintPagePrefix + Normalize(host) }

func MaintenanceNotes(host string) string { return "maint-notes:" + Normalize(host) }

func Preview(host string) string { return PreviewPrefix + Normalize(host) }

func PreviewToken(token string) string { return PreviewTokenPrefix + token }

func PreviewHistory(namespace, site string) string {
	return fmt.Sprintf("preview-history:%s/%s", namespace, site)
}

// PreviewSession keys carry the preview host so all sessions of one preview
// share a prefix.
func PreviewSession(previewHost, id string) string {
	return PreviewSessPrefix + Normalize(previewHost) + ":" + id
}

func PreviewSessions(previewHost string) string {
	return PreviewSessPrefix + Normalize(previewHost) + ":"
}

func DomainVerify(host string) string { return DomainVerifyPrefix + Normalize(host) }

func HostClaim(host string) string { return HostClaimPrefix + Normalize(host) }

func Host(host string) string { return HostPrefix + Normalize(host) }

func TLS(host string) string { return TLSPrefix + Normalize(host) }

func TLSTenant(tenant string) string { return TLSTenantPrefix + tenant }

func TLSRenew(host string) string { return TLSRenewPrefix + Normalize(host) }

func MagicLink(code string) string { return MagicLinkPrefix + code }

func OAuthState(state string) string { return OAuthStatePrefix + state }

func ReconcileAttempts(namespace, name string) string {
	return fmt.Sprintf("attempts:%s/%s", namespace, name)
}

func SitePublishes(host string) string { return "stats:publishes:" + Normalize(host) }

func SiteRouteCount(host string) string { return "route-count:" + Normalize(host) }

func Suspended(host string) string { return "suspended:" + Normalize(host) }

func DNSCache(host string) string { return "dns-txt:" + Normalize(host) }

func HostShard(i int) string { return fmt.Sprintf("host-shard:%04x", i) }
