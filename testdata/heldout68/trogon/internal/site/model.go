package site

import "time"

// Config is what the edge Worker needs to serve a site.
type Config struct {
	SiteID       string            `json:"site_id"`
	Origin       string            `json:"origin,omitempty"`
	Hostnames    []string          `json:"hostnames,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`
	EdgeCacheTTL int64             `json:"edge_cache_ttl,omitempty"`
	NotFound     string            `json:"not_found,omitempty"`
	PreviewOnly  bool              `json:"preview_only,omitempty"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// Redirect is one entry of a site's redirect table.
type Redirect struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Status int    `json:"status"`
}

// Toggle is a feature toggle. A toggle with an expiry disappears from KV
// by itself once it lapses.
type Toggle struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	Percent int    `json:"percent,omitempty"`
	Note    string `json:"note,omitempty"`
}

// ManifestEntry describes one file of a deploy.
type ManifestEntry struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// Manifest maps request paths to assets.
type Manifest struct {
	DeployID  string                   `json:"deploy_id"`
	CreatedAt time.Time                `json:"created_at"`
	Files     map[string]ManifestEntry `json:"files"`
}

// Deploy is one line of a site's deploy history.
type Deploy struct {
	ID        string    `json:"id"`
	Author    string    `json:"author"`
	Files     int       `json:"files"`
	Bytes     int64     `json:"bytes"`
	StartedAt time.Time `json:"started_at"`
	Duration  string    `json:"duration"`
}

// Lock records who holds a site's deploy lock.
type Lock struct {
	Holder   string    `json:"holder"`
	DeployID string    `json:"deploy_id"`
	Since    time.Time `json:"since"`
}

// TokenRecord is a deploy token as stored in KV, keyed by its hash.
type TokenRecord struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"site_id"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	Label     string    `json:"label,omitempty"`
}

// MaxHistory bounds the deploy history kept per site.
const MaxHistory = 50
