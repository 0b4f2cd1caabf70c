// Package telemetry turns raw greenhouse sensor readings into hourly rollups,
// trends and threshold alerts.
package telemetry

import (
	"fmt"
	"math"
	"time"
)

// Reading is one sample reported by a sensor.
type Reading struct {
	Greenhouse string    `json:"gh"`
	Sensor     string    `json:"sensor"`
	Metric     string    `json:"metric"` // temp_c, rh_pct, co2_ppm, par_umol, soil_vwc
	Value      float64   `json:"v"`
	At         time.Time `json:"at"`
}

// Valid rejects readings that cannot be attributed or are not numbers.
func (r Reading) Valid() bool {
	return r.Greenhouse != "" && r.Sensor != "" && r.Metric != "" &&
		!math.IsNaN(r.Value) && !math.IsInf(r.Value, 0) && !r.At.IsZero()
}

// SeriesKey identifies the time series a reading belongs to.
func (r Reading) SeriesKey() string {
	return r.Greenhouse + ":" + r.Sensor + ":" + r.Metric
}

// Rollup aggregates one series over one hour.
type Rollup struct {
	Greenhouse string    `json:"gh"`
	Sensor     string    `json:"sensor"`
	Metric     string    `json:"metric"`
	Hour       time.Time `json:"hour"`
	N          int       `json:"n"`
	Min        float64   `json:"min"`
	Max        float64   `json:"max"`
	Sum        float64   `json:"sum"`
	Late       int       `json:"late,omitempty"`
}

// Add folds r into the rollup.
func (ru *Rollup) Add(r Reading) {
	if ru.N == 0 {
		ru.Greenhouse, ru.Sensor, ru.Metric = r.Greenhouse, r.Sensor, r.Metric
		ru.Hour = r.At.UTC().Truncate(time.Hour)
		ru.Min, ru.Max = r.Value, r.Value
	}
	ru.N++
	ru.Sum += r.Value
	ru.Min = min(ru.Min, r.Value)
	ru.Max = max(ru.Max, r.Value)
}

// Mean is the average of the folded readings.
func (ru Rollup) Mean() float64 {
	if ru.N == 0 {
		return 0
	}
	return ru.Sum / float64(ru.N)
}

// RollupKey is where the rollup of a series for one hour lives.
func RollupKey(gh, sensor, metric string, hour time.Time) string {
	return fmt.Sprintf("rollup:%s:%s:%s:%s", gh, sensor, metric, hour.UTC().Format("2006010215"))
}

func rollupKeyOf(r Reading) string {
	return RollupKey(r.Greenhouse, r.Sensor, r.Metric, r.At.Truncate(time.Hour))
}

// Trend summarises a sliding window of one series.
type Trend struct {
	Series string    `json:"series"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Mean   float64   `json:"mean"`
	Slope  float64   `json:"slope_per_h"`
}

func trendOf(series string, from, to time.Time, rs []Reading) Trend {
	t := Trend{Series: series, From: from, To: to}
	if len(rs) == 0 {
		return t
	}
	first, last := rs[0], rs[len(rs)-1]
	for _, r := range rs {
		t.Mean += r.Value / float64(len(rs))
	}
	if h := last.At.Sub(first.At).Hours(); h > 0 {
		t.Slope = (last.Value - first.Value) / h
	}
	return t
}
