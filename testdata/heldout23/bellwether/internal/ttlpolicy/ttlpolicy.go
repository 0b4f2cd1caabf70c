// Package ttlpolicy holds the expiry windows for what the service keeps in
// Workers KV, and the subscription tiers newsrooms buy.
package ttlpolicy

import "time"

// Floor is the shortest expiry Workers KV accepts for a key.
const Floor = 60 * time.Second

const (
	// PollDocTTL is how long a rendered poll document stays in KV for embeds.
	PollDocTTL = 10 * time.Minute
	// SessionIdle is the default lifetime of a respondent session.
	SessionIdle = 2 * time.Hour
	// EmbedTokenTTL is the lifetime of a signed embed token record.
	EmbedTokenTTL = 24 * time.Hour
	// ChallengeTTL is how long an embed has to answer its proof-of-work nonce.
	ChallengeTTL = 45 * time.Second // EXPECT kvttl
	// ExportLinkTTL is how long a finished export stays downloadable.
	ExportLinkTTL = 72 * time.Hour
	// RevocationTTL keeps a revoked token id around for longer than any
	// token can live.
	RevocationTTL = EmbedTokenTTL + time.Hour
	// SlugGrace is how long a released slug stays reserved.
	SlugGrace = 7 * 24 * time.Hour
)

// Tier is a newsroom's subscription level.
type Tier int

const (
	TierFree Tier = iota
	TierNewsroom
	TierNetwork
	TierLive
)

// TTL is how long published results stay cached for a poll on this tier.
// Higher tiers see fresher numbers.
func (t Tier) TTL() time.Duration {
	switch t {
	case TierNewsroom:
		return 5 * time.Minute
	case TierNetwork:
		return 2 * time.Minute
	case TierLive:
		return 20 * time.Second // EXPECT kvttl
	default:
		return 15 * time.Minute
	}
}

// MaxRespondentsPerMinute is the embed rate limit for the tier.
func (t Tier) MaxRespondentsPerMinute() int {
	switch t {
	case TierNewsroom:
		return 600
	case TierNetwork:
		return 3000
	case TierLive:
		return 12000
	default:
		return 120
	}
}

// AtLeastFloor raises d to Floor.
func AtLeastFloor(d time.Duration) time.Duration {
	return max(d, Floor)
}
