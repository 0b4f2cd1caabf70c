// Package experiments holds the experiment model shared by the API, the
// background workers and the edge Worker: experiments, variants, bucketing
// and the KV key layout.
package experiments

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// TotalWeight is the number of buckets variant weights are expressed in
// (basis points).
const TotalWeight = 10000

// Status is the lifecycle state of an experiment.
type Status string

const (
	StatusDraft   Status = "draft"
	StatusRunning Status = "running"
	StatusStopped Status = "stopped"
)

// Variant is one arm of an experiment.
type Variant struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
}

// Experiment is the stored definition of an A/B test or rollout.
type Experiment struct {
	ID        string    `json:"id"`
	Key       string    `json:"key"`
	Tenant    string    `json:"tenant"`
	Name      string    `json:"name"`
	Status    Status    `json:"status"`
	Salt      string    `json:"salt"`
	Variants  []Variant `json:"variants"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt,omitzero"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ExposureEvent is emitted whenever a unit is shown a variant.
type ExposureEvent struct {
	ExperimentID string    `json:"experimentId"`
	Variant      string    `json:"variant"`
	UnitID       string    `json:"unitId"`
	At           time.Time `json:"at"`
}

// ConversionEvent is emitted when a unit reaches the experiment's goal.
type ConversionEvent struct {
	ExperimentID string    `json:"experimentId"`
	UnitID       string    `json:"unitId"`
	Goal         string    `json:"goal"`
	At           time.Time `json:"at"`
}

var (
	ErrNoVariants  = errors.New("experiments: at least one variant is required")
	ErrWeightTotal = fmt.Errorf("experiments: variant weights must add up to %d", TotalWeight)
)

// Validate checks that the experiment can be served.
func (e *Experiment) Validate() error {
	if len(e.Variants) == 0 {
		return ErrNoVariants
	}
	sum := 0
	for _, v := range e.Variants {
		sum += max(v.Weight, 0)
	}
	if sum != TotalWeight {
		return ErrWeightTotal
	}
	return nil
}

// Live reports whether the experiment should be served at t.
func (e *Experiment) Live(t time.Time) bool {
	if e.Status != StatusRunning || t.Before(e.StartsAt) {
		return false
	}
	return e.EndsAt.IsZero() || t.Before(e.EndsAt)
}

// Bucket maps a unit to one of TotalWeight buckets for the given salt.
func Bucket(salt, unitID string) int {
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(unitID))
	return int(h.Sum64() % TotalWeight)
}

// Assign picks the variant for a unit. It is deterministic for a given salt
// and weight table, so a sticky assignment only has to be recorded when the
// weights may change later.
func (e *Experiment) Assign(unitID string) (Variant, bool) {
	b := Bucket(e.Salt, unitID)
	acc := 0
	for _, v := range e.Variants {
		acc += v.Weight
		if b < acc {
			return v, true
		}
	}
	return Variant{}, false
}

// Key layout. All namespaces share the same conventions: a short kind
// prefix, then the identifiers separated by colons.
const (
	ExperimentPrefix = "exp:"
	SnapshotPrefix   = "snapshot:"
	EdgeConfigKey    = "edge:config"
	ManifestKey      = "manifest:live"
)

func ExperimentKey(id string) string        { return ExperimentPrefix + id }
func StatusKey(id string) string            { return "exp-status:" + id }
func SlugKey(tenant, slug string) string    { return "slug:" + tenant + ":" + strings.ToLower(slug) }
func StickyPrefix(expID string) string      { return "sticky:" + expID + ":" }
func StickyKey(expID, unitID string) string { return StickyPrefix(expID) + unitID }
func ExposureKey(expID, variant string) string {
	return "exposures:" + expID + ":" + variant
}
func SummaryKey(expID string) string     { return "summary:" + expID }
func RolloutKey(expID string) string     { return "rollout:" + expID }
func LiveKey(expID string) string        { return "live:" + expID }
func ConvertedKey(expID string) string   { return "converted:" + expID }
func BucketTableKey(expID string) string { return "buckets:" + expID }
func RollupKey(expID, day, variant string) string {
	return fmt.Sprintf("rollup:%s:%s:%s", expID, day, variant)
}
func SnapshotKey(expID string, at time.Time) string {
	return fmt.Sprintf("%s%s:%d", SnapshotPrefix, expID, at.Unix())
}

// EndOfDay returns midnight UTC following t.
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// RollupState is the per-experiment bookkeeping the rollup job keeps next
// to the daily rollups.
type RollupState struct {
	Days      []string          `json:"days"`
	LastDay   map[string]string `json:"lastDay"`
	UpdatedAt time.Time         `json:"updatedAt"`
}
