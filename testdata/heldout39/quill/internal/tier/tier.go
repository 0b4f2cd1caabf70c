// Package tier holds subscription tiers and the kinds of cached content, with
// the lifetimes and key prefixes that go with them.
package tier

import (
	"fmt"
	"strings"
	"time"
)

// Tier is a reader's subscription level with one writer.
type Tier int

const (
	Free Tier = iota
	Supporter
	Founding
	Comp // complimentary, granted by the writer
)

var names = [...]string{"free", "supporter", "founding", "comp"}

func (t Tier) String() string { return names[t] }

// Parse reads a tier name.
func Parse(s string) (Tier, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range names {
		if n == s {
			return Tier(i), nil
		}
	}
	return Free, fmt.Errorf("tier: unknown tier %q", s)
}

// Paid reports whether the tier unlocks paywalled posts.
func (t Tier) Paid() bool { return t != Free }

// EntitlementTTL is how long a looked-up entitlement may be cached at the edge.
func (t Tier) EntitlementTTL() time.Duration {
	switch t {
	case Free:
		return 6 * time.Hour
	case Founding:
		return 12 * time.Hour
	default:
		return time.Hour
	}
}

// Kind is the kind of a cached rendering of a post.
type Kind int

const (
	Public Kind = iota
	Paywalled
	Preview // a draft shared by secret link before publication
	Teaser  // the free excerpt of a paywalled post
)

// Prefix is the first path element of a rendering's key.
func (k Kind) Prefix() string {
	switch k {
	case Paywalled:
		return "paid"
	case Preview:
		return "preview"
	case Teaser:
		return "teaser"
	}
	return "pub"
}

// TTL is how long a rendering of this kind lives in KV.
func (k Kind) TTL() time.Duration {
	switch k {
	case Public:
		return time.Hour
	case Paywalled:
		return 10 * time.Minute
	case Preview:
		return 30 * time.Second // EXPECT kvttl
	case Teaser:
		return 2 * time.Hour
	}
	return 5 * time.Minute
}
