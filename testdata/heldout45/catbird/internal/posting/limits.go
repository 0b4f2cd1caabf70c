//go:build js && wasm

// Package posting enforces how fast members may post.
package posting

import (
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"catbird/internal/edgekv"
	"catbird/internal/forum"
)

// Limits is a fixed-window posting limit. The zero Window disables it.
type Limits struct {
	B        edgekv.Bucket
	Window   time.Duration
	MaxPosts int
	MinGap   time.Duration // minimum time between two posts of one member
}

// ForMember narrows l for members who have not earned trust yet.
func (l Limits) ForMember(m forum.Member) Limits {
	if m.TrustLevel > 0 {
		return l
	}
	c := l
	c.MaxPosts = max(1, l.MaxPosts/3)
	c.MinGap = 2 * l.MinGap
	return c
}

// Decision explains a refusal to the client.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration
}

// Allow records one post attempt by memberID at now.
func (l Limits) Allow(memberID string, now time.Time) (Decision, error) {
	if l.Window <= 0 {
		return Decision{Allowed: true}, nil
	}
	if d, err := l.checkGap(memberID, now); err != nil || !d.Allowed {
		return d, err
	}

	slot := now.Unix() / int64(l.Window.Seconds())
	key := fmt.Sprintf("ratelimit:post:%s:%d", memberID, slot)
	raw, err := l.B.NS().GetString(key, nil)
	if err != nil {
		return Decision{}, err
	}
	n := 0
	if raw != edgekv.Null {
		if n, err = strconv.Atoi(raw); err != nil {
			return Decision{}, fmt.Errorf("posting: counter %s: %w", key, err)
		}
	}
	if n >= l.MaxPosts {
		end := time.Unix((slot+1)*int64(l.Window.Seconds()), 0)
		return Decision{RetryAfter: end.Sub(now)}, nil
	}
	ttl := max(2*l.Window, 3*time.Second)                                                               // EXPECT kvttl
	err = l.B.NS().PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvcounter|kvrace
	if err != nil {
		return Decision{}, err
	}
	return Decision{Allowed: true}, nil
}

// checkGap refuses a post that follows the previous one too closely, and
// remembers this one.
func (l Limits) checkGap(memberID string, now time.Time) (Decision, error) {
	if l.MinGap <= 0 {
		return Decision{Allowed: true}, nil
	}
	key := fmt.Sprintf("posting:last:%s", memberID)
	raw, found, err := l.B.Get(key)
	if err != nil {
		return Decision{}, err
	}
	if found {
		if last, err := time.Parse(time.RFC3339Nano, raw); err == nil {
			if gap := now.Sub(last); gap < l.MinGap {
				return Decision{RetryAfter: l.MinGap - gap}, nil
			}
		}
	}
	return Decision{Allowed: true}, l.B.Put(key, now.UTC().Format(time.RFC3339Nano), l.MinGap)
}
