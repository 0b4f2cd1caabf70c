// Package policy holds the lifetime and quota tables shared by the services.
package policy

import (
	"time"

	"example.com/cinder/internal/domain"
)

// Kind classifies a stored record for lifetime purposes.
type Kind int

const (
	KindSession Kind = iota
	KindVerification
	KindInvite
	KindExport
	KindDownloadLink
	KindConfigCache
	KindIdempotency
	KindPasswordReset
)

var ttlFor = map[Kind]time.Duration{
	KindSession:       12 * time.Hour,
	KindVerification:  10 * time.Minute,
	KindInvite:        7 * 24 * time.Hour,
	KindExport:        72 * time.Hour,
	KindDownloadLink:  30 * time.Second, // EXPECT kvttl
	KindConfigCache:   5 * time.Minute,
	KindIdempotency:   24 * time.Hour,
	KindPasswordReset: 20 * time.Minute,
}

// TTL returns how long records of kind k live.
func TTL(k Kind) time.Duration { return ttlFor[k] }

// maxAttempts bounds guesses per record kind; zero means unlimited.
var maxAttempts = [...]int{
	KindVerification:  5,
	KindInvite:        3,
	KindPasswordReset: 5,
}

// MaxAttempts returns the guess budget for kind k.
func MaxAttempts(k Kind) int {
	if int(k) >= len(maxAttempts) {
		return 0
	}
	return maxAttempts[k]
}

// exportPageSize is how many keys one export listing call asks for per plan.
var exportPageSize = [...]int{
	domain.PlanFree:       100,
	domain.PlanTeam:       1000,
	domain.PlanEnterprise: 5000,
}

// ExportPageSize returns the listing page size for plan p.
func ExportPageSize(p domain.Plan) int { return exportPageSize[p] }

// exportRetention is how long a finished export stays downloadable.
var exportRetention = map[domain.Plan]time.Duration{
	domain.PlanFree:       24 * time.Hour,
	domain.PlanTeam:       72 * time.Hour,
	domain.PlanEnterprise: 30 * 24 * time.Hour,
}

// ExportRetention returns the retention for plan p.
func ExportRetention(p domain.Plan) time.Duration { return exportRetention[p] }

// MonthlyExports is the number of exports each plan may request per month.
var MonthlyExports = [...]int{
	domain.PlanFree:       5,
	domain.PlanTeam:       100,
	domain.PlanEnterprise: 2000,
}
