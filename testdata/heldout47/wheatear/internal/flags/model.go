// Package flags serves flag configurations and per-environment overrides to
// the dashboard and to SDKs. Flag state is authored in the control plane
// database (reached through Origin) and published into Workers KV, which the
// edge evaluators read.
package flags

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Bits is the state word stored with every flag config.
type Bits uint32

const (
	BitEnabled Bits = 1 << iota
	BitPublished
	BitDraft
	BitArchived
	BitKillSwitch
	BitSticky
)

var bitNames = [...]string{"enabled", "published", "draft", "archived", "kill-switch", "sticky"}

func (b Bits) String() string {
	var parts []string
	for i, n := range bitNames {
		if b&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// Has reports whether all bits in m are set.
func (b Bits) Has(m Bits) bool { return b&m == m }

// Variation is one possible value of a flag.
type Variation struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// FlagConfig is the published form of a flag in one environment.
type FlagConfig struct {
	Name        string      `json:"name"`
	Env         string      `json:"env"`
	Bits        Bits        `json:"bits"`
	Version     int         `json:"version"`
	Rollout     int         `json:"rollout_pct"`
	Variations  []Variation `json:"variations"`
	Default     string      `json:"default"`
	PublishedAt time.Time   `json:"published_at"`
	PublishedBy string      `json:"published_by"`
}

// HistoryEntry records one publish of a flag.
type HistoryEntry struct {
	Version int       `json:"v"`
	Bits    Bits      `json:"bits"`
	Rollout int       `json:"rollout"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// Override pins a variation for a set of targets in one environment.
type Override struct {
	Targets   []string `json:"targets"`
	Variation string   `json:"variation"`
}

// Overrides is the stored document for one flag in one environment.
type Overrides struct {
	Env       string              `json:"env"`
	Flag      string              `json:"flag"`
	Rules     map[string]Override `json:"rules"`
	UpdatedAt time.Time           `json:"updated_at"`
	UpdatedBy string              `json:"updated_by"`
}

// SlugClaim is stored under the slug key when a flag is created.
type SlugClaim struct {
	Team      string    `json:"team"`
	FlagID    string    `json:"flag_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Origin reads authoritative state from the control plane.
type Origin struct {
	Base string
	HTTP *http.Client
}

func (o *Origin) fetch(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.Base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("origin %s: %s", path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// Overrides returns the authored overrides document for flag in env.
func (o *Origin) Overrides(ctx context.Context, env, flag string) ([]byte, error) {
	return o.fetch(ctx, "/envs/"+url.PathEscape(env)+"/flags/"+url.PathEscape(flag)+"/overrides")
}

// Snapshot returns every published flag of env as one JSON document.
func (o *Origin) Snapshot(ctx context.Context, env string) ([]byte, error) {
	return o.fetch(ctx, "/envs/"+url.PathEscape(env)+"/snapshot")
}
