// Package flags defines feature flags and percentage rollouts, evaluates
// them, and pushes definitions to an environment's edge namespace.
package flags

import (
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Variant is one possible value of a flag.
type Variant struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// Rollout splits traffic between variants by weight (summing to 100).
type Rollout struct {
	Weights map[string]int `json:"weights"`
	Seed    string         `json:"seed,omitempty"` // rebuckets without changing weights
}

// Schedule bounds when a flag is served.
type Schedule struct {
	Start time.Time `json:"start,omitempty"`
	End   time.Time `json:"end,omitempty"`
}

// Flag is a flag definition as stored at the edge.
type Flag struct {
	Key       string    `json:"key"`
	Enabled   bool      `json:"enabled"`
	Variants  []Variant `json:"variants"`
	Default   string    `json:"default"`
	Rollout   *Rollout  `json:"rollout,omitempty"`
	Schedule  *Schedule `json:"schedule,omitempty"`
	Owner     string    `json:"owner,omitempty"`
	Archived  bool      `json:"archived,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,127}$`)

// Validation and lifecycle errors.
var (
	ErrInvalidKey     = errors.New("flags: key must be lowercase alphanumerics, dot, dash or underscore")
	ErrUnknownVariant = errors.New("flags: unknown variant")
	ErrBadWeights     = errors.New("flags: rollout weights must sum to 100")
	ErrExists         = errors.New("flags: flag already exists")
)

// Validate checks a definition before it is stored.
func (f *Flag) Validate() error {
	if !keyPattern.MatchString(f.Key) {
		return fmt.Errorf("%w: %q", ErrInvalidKey, f.Key)
	}
	names := map[string]bool{}
	for _, v := range f.Variants {
		names[v.Name] = true
	}
	if !names[f.Default] {
		return fmt.Errorf("%w: default %q", ErrUnknownVariant, f.Default)
	}
	if f.Rollout != nil {
		sum := 0
		for name, w := range f.Rollout.Weights {
			if !names[name] {
				return fmt.Errorf("%w: rollout variant %q", ErrUnknownVariant, name)
			}
			sum += w
		}
		if sum != 100 {
			return fmt.Errorf("%w (got %d)", ErrBadWeights, sum)
		}
	}
	return nil
}

// Evaluate returns the variant served to userID at time now.
func (f *Flag) Evaluate(userID string, now time.Time) string {
	if !f.Enabled || f.Archived {
		return f.Default
	}
	if s := f.Schedule; s != nil && ((!s.Start.IsZero() && now.Before(s.Start)) || (!s.End.IsZero() && !now.Before(s.End))) {
		return f.Default
	}
	if f.Rollout == nil {
		return f.Default
	}
	b, acc := Bucket(f.Key, f.Rollout.Seed, userID), 0
	for _, v := range f.Variants { // stable order
		if acc += f.Rollout.Weights[v.Name]; b < acc {
			return v.Name
		}
	}
	return f.Default
}

// Bucket maps a user to 0..99 for a flag.
func Bucket(flagKey, seed, userID string) int {
	h := sha1.Sum([]byte(flagKey + "/" + seed + "/" + userID))
	return int(binary.BigEndian.Uint32(h[:4]) % 100)
}
