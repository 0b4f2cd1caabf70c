// Package site holds the domain model of a hosted site: its published
// configuration, redirects, feature toggles, asset manifests and deploy
// history, together with the KV key layout shared by the backend and the
// edge Worker.
package site

import (
	"net/url"
	"strings"
)

// Key prefixes. The Worker and the deploy tooling must agree on these, so
// they live in one place.
const (
	PrefixConfig    = "cfg/"
	PrefixRedirects = "redir/"
	PrefixToggles   = "flag/"
	PrefixAsset     = "asset/"
	PrefixManifest  = "manifest/"
	PrefixLock      = "lock/"
	PrefixHistory   = "history/"
	PrefixHostname  = "host/"
	PrefixToken     = "token/"
	PrefixRevoked   = "revoked/"
	PrefixPreview   = "preview/"
	PrefixStatus    = "status/"
)

// ConfigKey is where the published SiteConfig of a site lives.
func ConfigKey(siteID string) string { return PrefixConfig + siteID }

// RedirectsKey holds the whole redirect table of a site as one JSON array.
func RedirectsKey(siteID string) string { return PrefixRedirects + siteID }

// TogglesKey holds the toggle map of a site.
func TogglesKey(siteID string) string { return PrefixToggles + siteID }

// ToggleKey is the per-toggle key used by the Terraform provider, which
// manages each toggle as its own resource.
func ToggleKey(siteID, name string) string {
	return PrefixToggles + siteID + "/" + url.PathEscape(name)
}

// AssetKey addresses a content-hashed asset. The hash makes the key unique
// per content, so assets are written once and never modified.
func AssetKey(siteID, sum, ext string) string {
	return PrefixAsset + siteID + "/" + sum + ext
}

// ManifestKey addresses the manifest of one deploy.
func ManifestKey(siteID, deployID string) string {
	return PrefixManifest + siteID + "/" + deployID
}

// CurrentManifestKey points at the manifest the Worker serves.
func CurrentManifestKey(siteID string) string { return PrefixManifest + siteID + "/current" }

// LockKey guards a site against concurrent deploys.
func LockKey(siteID string) string { return PrefixLock + siteID }

// HistoryKey keeps the recent deploys of a site.
func HistoryKey(siteID string) string { return PrefixHistory + siteID }

// HostnameKey maps a custom hostname to the site that owns it.
func HostnameKey(host string) string { return PrefixHostname + strings.ToLower(host) }

// TokenKey stores a deploy token record by the hash of the token.
func TokenKey(hash string) string { return PrefixToken + hash }

// RevokedKey marks a token ID as revoked.
func RevokedKey(tokenID string) string { return PrefixRevoked + tokenID }

// StatusKey holds the human-readable status of the deploy in progress.
func StatusKey(siteID string) string { return PrefixStatus + siteID }

// SiteFromAssetKey returns the site part of an asset key.
func SiteFromAssetKey(key string) string {
	rest := strings.TrimPrefix(key, PrefixAsset)
	site, _, _ := strings.Cut(rest, "/")
	return site
}
