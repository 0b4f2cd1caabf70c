// Package alerts evaluates telemetry against per-fleet thresholds. The
// evaluation is a small task graph run once per cron tick.
package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/takahe-iot/takahe/internal/dag"
	"github.com/takahe-iot/takahe/internal/kvstore"
)

// Thresholds are the limits of one fleet.
type Thresholds struct {
	Limits   map[string]float64 `json:"limits"` // metric -> max value
	Cooldown time.Duration      `json:"cooldown"`
	MaxPages int                `json:"max_pages"`
}

// DefaultThresholds apply to fleets that never configured any.
var DefaultThresholds = Thresholds{
	Limits:   map[string]float64{"temp_c": 85, "battery_pct_low": 10},
	Cooldown: 30 * time.Minute,
	MaxPages: 20,
}

// Reading is the latest telemetry of one device.
type Reading struct {
	DeviceID string             `json:"device_id"`
	Metrics  map[string]float64 `json:"metrics"`
	At       time.Time          `json:"at"`
}

// Breach is one metric over its limit.
type Breach struct {
	DeviceID string
	Metric   string
	Value    float64
	Limit    float64
}

// Job evaluates alerts for one fleet.
type Job struct {
	NS    *kvstore.Namespace
	Log   *slog.Logger
	Fleet string

	sent atomic.Int64
}

const (
	envThresholds = "thresholds"
	envReadings   = "readings"
	envBreaches   = "breaches"
)

// Tasks returns the graph of one evaluation.
func (j *Job) Tasks() []dag.Task {
	return []dag.Task{
		{Name: "thresholds", Run: j.loadThresholds},
		{Name: "readings", Run: j.loadReadings},
		{Name: "evaluate", Deps: []string{"thresholds", "readings"}, Run: j.evaluate},
		{Name: "counters", Deps: []string{"evaluate"}, Run: j.bumpCounters},
		{Name: "open", Deps: []string{"evaluate"}, Run: j.openAlerts},
		{Name: "digest", Deps: []string{"evaluate"}, Run: j.writeDigest},
		{Name: "stats", Deps: []string{"counters", "open", "digest"}, Run: j.writeStats},
	}
}

// Run evaluates the fleet once.
func (j *Job) Run(ctx context.Context) error {
	env := dag.NewEnv(map[string]any{"fleet": j.Fleet, "started": time.Now().UTC()})
	return dag.RunParallel(ctx, env, j.Tasks())
}

func (j *Job) loadThresholds(ctx context.Context, env *dag.Env) error {
	raw, err := j.NS.Get(ctx, "alerts/thresholds/"+j.Fleet)
	if errors.Is(err, kvstore.ErrNotFound) {
		env.Set(envThresholds, DefaultThresholds)
		return nil
	}
	if err != nil {
		return err
	}
	th := DefaultThresholds
	if err := json.Unmarshal(raw, &th); err != nil {
		return fmt.Errorf("thresholds: %w", err)
	}
	env.Set(envThresholds, th)
	return nil
}

func (j *Job) loadReadings(ctx context.Context, env *dag.Env) error {
	prefix := "telemetry/latest/" + j.Fleet + "/"
	var readings []Reading
	cursor := ""
	for page := 0; page < DefaultThresholds.MaxPages; page++ {
		keys, next, err := j.NS.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			raw, err := j.NS.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var r Reading
			if json.Unmarshal(raw, &r) == nil {
				readings = append(readings, r)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	env.Set(envReadings, readings)
	return nil
}

func (j *Job) evaluate(_ context.Context, env *dag.Env) error {
	th, err := dag.Must[Thresholds](env, envThresholds)
	if err != nil {
		return err
	}
	readings, _ := dag.Lookup[[]Reading](env, envReadings)
	var out []Breach
	for _, r := range readings {
		for metric, limit := range th.Limits {
			if v, ok := r.Metrics[metric]; ok && v > limit {
				out = append(out, Breach{DeviceID: r.DeviceID, Metric: metric, Value: v, Limit: limit})
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].DeviceID < out[b].DeviceID })
	env.Set(envBreaches, out)
	return nil
}

func (j *Job) bumpCounters(ctx context.Context, env *dag.Env) error {
	breaches, _ := dag.Lookup[[]Breach](env, envBreaches)
	for _, b := range breaches {
		key := fmt.Sprintf("alerts/count/%s/%s", b.DeviceID, b.Metric)
		n := 0
		raw, err := j.NS.Get(ctx, key)
		if err == nil {
			n, _ = strconv.Atoi(string(raw))
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		if err := j.NS.Put(ctx, key, []byte(strconv.Itoa(n+1)), 30*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
	}
	return nil
}

func (j *Job) openAlerts(ctx context.Context, env *dag.Env) error {
	th, _ := dag.Lookup[Thresholds](env, envThresholds)
	breaches, _ := dag.Lookup[[]Breach](env, envBreaches)
	ttl := max(th.Cooldown/2, 10*time.Second) // EXPECT kvttl
	var errs []error
	for _, b := range breaches {
		body, _ := json.Marshal(b)
		if err := j.NS.Put(ctx, "alerts/open/"+b.DeviceID+"/"+b.Metric, body, ttl); err != nil {
			errs = append(errs, err)
		}
	}
	j.sent.Add(int64(len(breaches)))
	return errors.Join(errs...)
}

func (j *Job) writeDigest(ctx context.Context, env *dag.Env) error {
	started, _ := dag.Lookup[time.Time](env, "started")
	breaches, _ := dag.Lookup[[]Breach](env, envBreaches)
	key := "alerts/digest/" + j.Fleet + "/" + started.Format("2006-01-02")
	var lines []string
	for _, b := range breaches {
		lines = append(lines, fmt.Sprintf("%s %s=%.1f (limit %.1f)", b.DeviceID, b.Metric, b.Value, b.Limit))
		if err := j.NS.Put(ctx, key, []byte(strings.Join(lines, "\n")), 48*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (j *Job) writeStats(ctx context.Context, env *dag.Env) error {
	started, _ := dag.Lookup[time.Time](env, "started")
	run, _ := json.Marshal(map[string]any{"started": started, "took_ms": time.Since(started).Milliseconds()})
	if err := j.NS.Put(ctx, "alerts/last-run/"+j.Fleet, run, 0); err != nil {
		return err
	}
	return j.NS.Put(ctx, "alerts/sent-count/"+j.Fleet, []byte(strconv.FormatInt(j.sent.Load(), 10)), 0) // EXPECT kvcounter
}
