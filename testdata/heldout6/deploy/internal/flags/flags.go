// Package flags manages feature flags with percentage rollouts. Flags are
// stored as Versioned documents; edge workers read a published snapshot.
package flags

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

const (
	flagPrefix  = "flag/"
	indexKey    = "meta/index"
	snapshotKey = "edge/flags.json"
	missPrefix  = "miss/"

	// Unknown flag names are remembered briefly so that a typo in a hot
	// path does not turn into an API call per request.
	missTTL = 15 * time.Second
)

// ErrUnknown is returned for flags that do not exist.
var ErrUnknown = errors.New("flags: unknown flag")

// Flag is one feature flag.
type Flag struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Enabled     bool     `json:"enabled"`
	Rollout     int      `json:"rollout"`         // percent of subjects, 0-100
	Allow       []string `json:"allow,omitempty"` // subjects that always see the flag
}

// Summary is what List returns; it is read from key metadata.
type Summary struct {
	Name    string
	Enabled bool
	Rollout int
}

// Service is the flag application service.
type Service struct {
	kv    store.Store
	repo  *store.Repo[Flag]
	clock clock.Clock
}

// New builds the service on kv.
func New(kv store.Store, c clock.Clock) *Service {
	s := &Service{kv: kv, repo: store.NewRepo[Flag](kv, flagPrefix), clock: clock.Or(c)}
	s.repo.Meta = func(f Flag) map[string]any {
		return map[string]any{"enabled": f.Enabled, "rollout": f.Rollout}
	}
	return s
}

// Create registers a new flag.
func (s *Service) Create(ctx context.Context, f Flag) error {
	if f.Rollout < 0 || f.Rollout > 100 {
		return fmt.Errorf("rollout %d out of range", f.Rollout)
	}
	if err := s.repo.Save(ctx, f.Name, f); err != nil {
		return err
	}
	idx, err := store.GetJSON[[]string](ctx, s.kv, indexKey)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	if slices.Contains(idx, f.Name) {
		return nil
	}
	idx = append(idx, f.Name)
	slices.Sort(idx)
	return store.PutJSON(ctx, s.kv, indexKey, idx) // EXPECT kvrace
}

// SetRollout changes the rollout percentage of a flag.
func (s *Service) SetRollout(ctx context.Context, name string, pct int) (int, error) {
	if pct < 0 || pct > 100 {
		return 0, fmt.Errorf("rollout %d out of range", pct)
	}
	doc, err := s.repo.Update(ctx, name, func(f *Flag) error {
		f.Rollout = pct
		f.Enabled = pct > 0
		return nil
	})
	return doc.Version, err
}

// Evaluate decides whether subject sees flag name.
func (s *Service) Evaluate(ctx context.Context, name, subject string) (bool, error) {
	if _, err := s.kv.Get(ctx, missPrefix+name); err == nil {
		return false, ErrUnknown
	}
	doc, err := s.repo.Load(ctx, name)
	if store.IsNotFound(err) {
		marker := []byte(s.clock.Now().UTC().Format(time.RFC3339))
		_ = s.kv.Put(ctx, missPrefix+name, marker, store.WithTTL(missTTL)) // EXPECT kvttl
		return false, ErrUnknown
	}
	if err != nil {
		return false, err
	}
	return decide(doc.Data, subject), nil
}

func decide(f Flag, subject string) bool {
	if slices.Contains(f.Allow, subject) {
		return true
	}
	if !f.Enabled || f.Rollout <= 0 {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte(f.Name))
	h.Write([]byte{0})
	h.Write([]byte(subject))
	return int(h.Sum32()%100) < f.Rollout
}

// List returns a summary of every flag.
func (s *Service) List(ctx context.Context) ([]Summary, error) {
	page, err := s.kv.List(ctx, store.ListRequest{Prefix: flagPrefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		sum := Summary{Name: k.Name[len(flagPrefix):]}
		if v, ok := k.Metadata["enabled"].(bool); ok {
			sum.Enabled = v
		}
		if v, ok := k.Metadata["rollout"].(float64); ok {
			sum.Rollout = int(v)
		}
		out = append(out, sum)
	}
	return out, nil
}
