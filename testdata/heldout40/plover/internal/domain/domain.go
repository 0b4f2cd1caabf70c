// Package domain holds the records plover keeps in KV.
package domain

import "time"

// Runner is a registered CI runner. It is stored under its token.
type Runner struct {
	ID       string
	Org      string
	Name     string
	Labels   []string
	Created  time.Time
	LastSeen time.Time
}

// RegCode is a one-time registration code handed to an operator.
type RegCode struct {
	Org     string
	Issuer  string
	Created time.Time
}

// ProjectKey is an API key of a project; only the hash of the secret is kept.
type ProjectKey struct {
	Project string
	Name    string
	Scopes  []string
	Created time.Time
}

// ProjectSettings are per-project switches edited from the dashboard.
type ProjectSettings struct {
	Project       string
	CacheEnabled  bool
	RetentionDays int
	PublicBadges  bool
}

// ProjectStats keeps the durations of the most recent builds.
type ProjectStats struct {
	Recent []time.Duration
}

// CacheEntry describes one cache blob keyed by its content hash.
type CacheEntry struct {
	Hash    string
	Size    int64
	Runner  string
	Created time.Time
	Blob    string
}

// Manifest lists the cache hashes a branch has produced, newest last.
type Manifest struct {
	Branch string
	Hashes []string
}

// BuildStatus is what CI reports at the end of a build.
type BuildStatus struct {
	Project  string
	Branch   string
	Build    int64
	State    string
	Duration time.Duration
	Finished time.Time
}

// Artifact is a stored build artifact.
type Artifact struct {
	Project string
	Build   int64
	Name    string
	Size    int64
	Created time.Time
	Blob    string
}

// RetentionPolicy controls the garbage collector.
type RetentionPolicy struct {
	MaxAgeDays  int               `json:"max_age_days"`
	KeepLatest  int               `json:"keep_latest"`
	PerKind     map[string]int    `json:"per_kind,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}
