// Package domain holds the platform's data types: subscribers, campaigns,
// schedules, bounces, editor sessions and sender plans.
package domain

import (
	"fmt"
	"time"
)

// Plan is a sender's billing plan.
type Plan int

const (
	PlanFree Plan = iota
	PlanStarter
	PlanGrowth
	PlanEnterprise
)

var planNames = [...]string{PlanFree: "free", PlanStarter: "starter", PlanGrowth: "growth", PlanEnterprise: "enterprise"}

// ParsePlan maps the plan names used by the billing system.
func ParsePlan(s string) (Plan, error) {
	for p, name := range planNames {
		if name == s {
			return Plan(p), nil
		}
	}
	return PlanFree, fmt.Errorf("domain: unknown plan %q", s)
}

func (p Plan) String() string { return planNames[p] }

// Window is the length of the plan's send-quota window.
func (p Plan) Window() time.Duration {
	switch p {
	case PlanFree, PlanStarter:
		return 24 * time.Hour
	case PlanGrowth:
		return 6 * time.Hour
	default:
		return time.Hour
	}
}

// SendLimit is how many emails the plan may send per window.
func (p Plan) SendLimit() int {
	switch p {
	case PlanFree:
		return 300
	case PlanStarter:
		return 5_000
	case PlanGrowth:
		return 20_000
	default:
		return 100_000
	}
}

// Tier is how aggressively a rendered page may be cached at the edge.
type Tier int

const (
	TierArchive Tier = iota
	TierHot
	TierFlash
	TierDraft
)

// TTL is how long a page of the tier stays in KV.
func (t Tier) TTL() time.Duration {
	switch t {
	case TierArchive:
		return 7 * 24 * time.Hour
	case TierHot:
		return 5 * time.Minute
	case TierFlash:
		return 30 * time.Second // EXPECT kvttl
	case TierDraft:
		return 2 * time.Minute
	}
	return time.Hour
}

// EditorSession is a signed-in editor of the campaign dashboard.
type EditorSession struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Workspace string    `json:"workspace"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// APIKey is a sender's API credential. Only its hash is stored.
type APIKey struct {
	ID        string    `json:"id"`
	SenderID  string    `json:"sender_id"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
}

// QuotaUsage is a sender's month-to-date usage, shown on the billing page.
type QuotaUsage struct {
	SenderID string `json:"sender_id"`
	Month    string `json:"month"`
	Sent     int    `json:"sent"`
	key      string
}

// NewQuotaUsage binds a usage record to its key.
func NewQuotaUsage(key, senderID, month string) QuotaUsage {
	return QuotaUsage{SenderID: senderID, Month: month, key: key}
}

// Key implements the record contract of kvstore.Save.
func (u QuotaUsage) Key() string { return u.key }

// TTL keeps usage records for roughly two billing cycles.
func (u QuotaUsage) TTL() time.Duration { return 62 * 24 * time.Hour }
