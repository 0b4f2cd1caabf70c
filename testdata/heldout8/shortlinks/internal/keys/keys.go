// Package keys centralises the KV key layout so that the worker, the queue
// consumer and the cron jobs agree on it.
package keys

import "strings"

const (
	LinkPrefix     = "link:"
	RedirectPrefix = "r:"
	PreviewPrefix  = "preview:"
	SessionPrefix  = "sess:"
	MagicPrefix    = "magic:"
	AccountPrefix  = "acct:"
	APIKeyPrefix   = "apikey:"
	RevokedPrefix  = "revoked:"
	QRPrefix       = "qr:"
	TagPrefix      = "tag:"
	FlagPrefix     = "flag:"

	// RootSlug is what the bare domain resolves to.
	RootSlug = ""

	LastRedirect   = "stats:last-redirect"
	LastAPIClient  = "api:last-client"
	GlobalSettings = "settings:global"
	LastRollup     = "jobs:last-rollup"
	Checkpoint     = "consumer:checkpoint"
)

// Link returns the primary key of a short link record.
func Link(slug string) string { return LinkPrefix + slug }

// Session returns the key of a browser session.
func Session(id string) string { return SessionPrefix + id }

// Builder joins key segments with ':'. The zero value is not useful; start
// from New.
type Builder struct {
	parts []string
}

func New(root string) Builder { return Builder{parts: []string{root}} }

func (b Builder) Add(seg string) Builder {
	parts := make([]string, len(b.parts), len(b.parts)+1)
	copy(parts, b.parts)
	return Builder{parts: append(parts, seg)}
}

func (b Builder) String() string { return strings.Join(b.parts, ":") }

// Prefix is String followed by the separator, for list prefixes.
func (b Builder) Prefix() string { return b.String() + ":" }
