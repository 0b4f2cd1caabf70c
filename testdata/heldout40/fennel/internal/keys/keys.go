// Package keys defines the key layout shared by the edge Worker and the
// admin backend. Both sides read and write the same namespaces, so every key
// shape lives here and nowhere else.
package keys

import (
	"fmt"
	"strings"
)

// Prefix is the constant leading part of a family of keys.
type Prefix string

// Key families. Keep them short: list() prefixes and key sizes both count
// against KV limits.
const (
	Sessions     Prefix = "sess:"
	CSRF         Prefix = "csrf:"
	MagicLinks   Prefix = "ml:"
	TOTPPending  Prefix = "totp:pending:"
	TOTPTries    Prefix = "totp:attempts:"
	FeedTokens   Prefix = "feedtok:"
	FeedRender   Prefix = "feedcache:"
	Episodes     Prefix = "ep:"
	EpisodeIndex Prefix = "epidx:"
	Embargo      Prefix = "embargo:"
	Preview      Prefix = "preview:"
	Handles      Prefix = "handle:"
	Downloads    Prefix = "dl:"
	ShowTotals   Prefix = "stats:show:"
	DailyStats   Prefix = "stats:day:"
	Views        Prefix = "views:"
	RateLimit    Prefix = "rl:magic:"
	AdSlots      Prefix = "adslot:"
	AdClaims     Prefix = "adclaim:"
	AdBookings   Prefix = "adbook:"
	Creatives    Prefix = "creative:"
	PurgeQueue   Prefix = "purgeq:"
	CDNObjects   Prefix = "cdn:"
	Quotas       Prefix = "quota:uploads:"
	Reports      Prefix = "report:"
	Revoked      Prefix = "revoked:feeds:"
)

// With appends one identifier to the prefix.
func (p Prefix) With(id string) string { return string(p) + id }

// Under returns the list prefix for everything a show owns in this family.
func (p Prefix) Under(show ShowID) string { return string(p) + string(show) + ":" }

// Trim strips the family prefix from a listed key name.
func (p Prefix) Trim(name string) string { return strings.TrimPrefix(name, string(p)) }

// ShowID and EpisodeID are plain identifiers; they double as key suffixes.
type (
	ShowID    string
	EpisodeID string
	CreatorID string
)

// Static is a fixed, well-known key.
type Static string

func (s Static) String() string { return string(s) }

// SessionKey addresses a creator session.
type SessionKey struct{ ID string }

func (k SessionKey) String() string { return Sessions.With(k.ID) }

// CSRFKey addresses the CSRF secret bound to one session.
type CSRFKey struct{ SessionID string }

func (k CSRFKey) String() string { return CSRF.With(k.SessionID) }

// MagicLinkKey addresses a pending login link.
type MagicLinkKey struct{ Token string }

func (k MagicLinkKey) String() string { return MagicLinks.With(k.Token) }

// TOTPKey addresses a pending TOTP challenge for a creator.
type TOTPKey struct{ Creator CreatorID }

func (k TOTPKey) String() string { return TOTPPending.With(string(k.Creator)) }

// FeedTokenKey addresses one subscriber's private RSS token.
type FeedTokenKey struct {
	Show  ShowID
	Token string
}

func (k FeedTokenKey) String() string { return FeedTokens.Under(k.Show) + k.Token }

// EpisodeKey addresses a published episode document.
type EpisodeKey struct {
	Show    ShowID
	Episode EpisodeID
}

func (k EpisodeKey) String() string { return Episodes.Under(k.Show) + string(k.Episode) }

// DayKey addresses one show's stats for one UTC day (YYYY-MM-DD).
type DayKey struct {
	Show ShowID
	Day  string
}

func (k DayKey) String() string { return DailyStats.Under(k.Show) + k.Day }

// SlotKey addresses the inventory record for one ad position of an episode.
type SlotKey struct {
	Episode EpisodeID
	Kind    string
	Pos     int
}

func (k SlotKey) String() string {
	return fmt.Sprintf("%s%s:%s:%d", AdSlots, k.Episode, k.Kind, k.Pos)
}

// ClaimKey marks which campaign holds a slot position.
type ClaimKey SlotKey

func (k ClaimKey) String() string {
	return fmt.Sprintf("%s%s:%s:%d", AdClaims, k.Episode, k.Kind, k.Pos)
}
