package enroll

import (
	"fmt"
	"time"
)

// Tier selects how long an enrollment code stays valid.
type Tier int

const (
	// TierStandard codes are handed to installers in the field and last
	// for the configured code lifetime.
	TierStandard Tier = iota
	// TierFactory codes are printed on labels a week ahead of assembly.
	TierFactory
	// TierBench codes are used on lab benches where a device is flashed,
	// enrolled and wiped again within a minute.
	TierBench
)

// TTL returns the lifetime of codes of tier t. Zero means "use the
// configured default".
func (t Tier) TTL() time.Duration {
	switch t {
	case TierFactory:
		return 7 * 24 * time.Hour
	case TierBench:
		return 45 * time.Second
	default:
		return 0
	}
}

func (t Tier) String() string {
	switch t {
	case TierStandard:
		return "standard"
	case TierFactory:
		return "factory"
	case TierBench:
		return "bench"
	}
	return fmt.Sprintf("tier(%d)", int(t))
}
