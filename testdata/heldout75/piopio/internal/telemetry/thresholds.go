package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/piopio/greenhouse/internal/kvrest"
	"github.com/piopio/greenhouse/internal/stream"
)

// Band is the acceptable range of one metric.
type Band struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// SpikeFactor marks readings beyond Max*SpikeFactor (or below
	// Min/SpikeFactor) as spikes worth keeping for inspection.
	SpikeFactor float64 `json:"spike,omitempty"`
}

// Contains reports whether v is inside the band.
func (b Band) Contains(v float64) bool { return v >= b.Min && v <= b.Max }

// Spike reports whether v is far outside the band.
func (b Band) Spike(v float64) bool {
	if b.SpikeFactor <= 1 {
		return false
	}
	return v > b.Max*b.SpikeFactor || v < b.Min/b.SpikeFactor
}

// Thresholds are the bands configured for one greenhouse.
type Thresholds struct {
	Metrics   map[string]Band `json:"metrics"`
	UpdatedBy string          `json:"updated_by,omitempty"`
	UpdatedAt time.Time       `json:"updated_at,omitempty"`
}

// DefaultThresholds suit a generic tomato house.
func DefaultThresholds() Thresholds {
	return Thresholds{Metrics: map[string]Band{
		"temp_c":   {Min: 16, Max: 30, SpikeFactor: 1.3},
		"rh_pct":   {Min: 55, Max: 90},
		"co2_ppm":  {Min: 350, Max: 1200, SpikeFactor: 2},
		"soil_vwc": {Min: 0.2, Max: 0.45},
	}}
}

func thresholdKey(gh string) string { return "thresholds:" + gh }

// thresholdSchema is attached to published thresholds so that edge readers
// can validate them without a round trip to the console.
const thresholdSchema = `{"$schema":"https://json-schema.org/draft/2020-12/schema",` +
	`"$id":"https://schemas.piopio.dev/greenhouse/thresholds/v3.json","title":"Greenhouse thresholds",` +
	`"description":"Acceptable ranges per metric for one greenhouse. Readings outside a band for three consecutive samples open an alert; readings beyond the spike factor are kept for inspection.",` +
	`"type":"object","required":["metrics"],"properties":{"metrics":{"type":"object","propertyNames":{"enum":["temp_c","rh_pct","co2_ppm","par_umol","soil_vwc","ec_ms","ph"]},` +
	`"additionalProperties":{"type":"object","required":["min","max"],"properties":{"min":{"type":"number","description":"Lowest acceptable value in the metric's unit."},` +
	`"max":{"type":"number","description":"Highest acceptable value in the metric's unit."},"spike":{"type":"number","minimum":1,"description":"Multiplier beyond which a reading counts as a spike."}}}},` +
	`"updated_by":{"type":"string","description":"Operator who last changed the thresholds."},"updated_at":{"type":"string","format":"date-time"}},` +
	`"examples":[{"metrics":{"temp_c":{"min":16,"max":30,"spike":1.3},"rh_pct":{"min":55,"max":90},"co2_ppm":{"min":350,"max":1200,"spike":2}},"updated_by":"ops@example.com"}]}`

// Admin is the console's write path for thresholds and notes.
type Admin struct {
	NS *kvrest.Namespace
}

// SetBand changes one metric's band, keeping the others.
func (a *Admin) SetBand(ctx context.Context, gh, metric string, b Band, by string) error {
	t, err := a.ensureThresholds(ctx, gh)
	if err != nil {
		return err
	}
	t.Metrics[metric] = b
	t.UpdatedBy, t.UpdatedAt = by, time.Now().UTC()
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return a.NS.Put(ctx, thresholdKey(gh), raw, nil) // EXPECT kvrace
}

// ReplaceThresholds stores a complete set of bands as submitted.
func (a *Admin) ReplaceThresholds(ctx context.Context, gh string, t Thresholds, by string) error {
	t.UpdatedBy, t.UpdatedAt = by, time.Now().UTC()
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return a.NS.Put(ctx, thresholdKey(gh), raw, map[string]any{"by": by})
}

// Publish re-stores the thresholds with their schema so edge readers can
// validate them.
func (a *Admin) Publish(ctx context.Context, gh string, t Thresholds) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return a.NS.Put(ctx, thresholdKey(gh), raw, map[string]any{"schema": thresholdSchema, "v": 3}) // EXPECT kvlimits
}

func (a *Admin) ensureThresholds(ctx context.Context, gh string) (Thresholds, error) {
	var t Thresholds
	if err := a.NS.GetJSON(ctx, thresholdKey(gh), &t); err != nil { // EXPECT kvnull
		t = DefaultThresholds()
		raw, _ := json.Marshal(t)
		return t, a.NS.Put(ctx, thresholdKey(gh), raw, nil)
	}
	if t.Metrics == nil {
		t.Metrics = map[string]Band{}
	}
	return t, nil
}

// AppendNote adds a line to the greenhouse's operator notes.
func (a *Admin) AppendNote(ctx context.Context, gh, by, note string) error {
	key := "notes:" + gh
	old, err := a.NS.Get(ctx, key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	line := time.Now().UTC().Format(time.DateTime) + " " + by + ": " + strings.TrimSpace(note)
	return a.NS.Put(ctx, key, []byte(string(old)+line+"\n"), nil) // EXPECT kvrace
}

// SiteConfig holds the controller settings of a greenhouse.
type SiteConfig struct {
	VentStepPct int    `json:"vent_step_pct"`
	Curtain     string `json:"curtain"`
	Irrigation  string `json:"irrigation"`
}

// LoadSiteConfig returns the stored site config or a default one.
func (a *Admin) LoadSiteConfig(ctx context.Context, gh string) (SiteConfig, error) {
	raw, err := a.NS.Get(ctx, "site:"+gh)
	if err != nil {
		return SiteConfig{}, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		var c SiteConfig
		return c, json.Unmarshal(raw, &c)
	}
	return SiteConfig{VentStepPct: 10, Curtain: "auto", Irrigation: "schedule"}, nil
}

// ThresholdRow is one line of a bulk threshold import.
type ThresholdRow struct {
	Greenhouse string
	Metric     string
	Band       Band
}

// Import groups rows by greenhouse and stores one complete threshold set
// per greenhouse.
func (a *Admin) Import(ctx context.Context, rows []ThresholdRow, by string) error {
	rt := stream.NewRuntime(ctx, 64)
	byGH := stream.Via(stream.FromSlice(rt, rows), stream.KeyBy(func(r ThresholdRow) string { return r.Greenhouse }))
	sets := stream.Via(byGH, stream.Reduce(
		func() Thresholds { return Thresholds{Metrics: map[string]Band{}} },
		func(t Thresholds, r ThresholdRow) Thresholds { t.Metrics[r.Metric] = r.Band; return t },
	))
	stream.To(sets, func(ctx context.Context, kv stream.Keyed[Thresholds]) error {
		return a.ReplaceThresholds(ctx, kv.Key, kv.Value, by)
	})
	return rt.Wait()
}

// cardTTL is how long a rendered greenhouse card may be served from KV.
const cardTTL = 15 * time.Second

// Card returns the rendered greenhouse card, cached in front of render.
func (a *Admin) Card(ctx context.Context, gh string, render func(context.Context, string) ([]byte, error)) ([]byte, error) {
	key := "card:" + gh
	if raw, err := a.NS.Get(ctx, key); err == nil {
		return raw, nil
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		return nil, err
	}
	raw, err := render(ctx, gh)
	if err != nil {
		return nil, err
	}
	return raw, a.NS.PutCached(ctx, key, raw, cardTTL)
}
