package analytics

import (
	"context"
	"slices"
	"strconv"
	"time"

	"example.com/ibex/internal/kvrest"
	"example.com/ibex/internal/lifetime"
)

// Buckets are per-hour (and, for premieres, per-minute) listen figures
// for the live dashboard. The log processor fills them from the origin's
// aggregates; the dashboard reads them in bulk.
type Buckets struct {
	rest *kvrest.Client
	ns   string
}

// NewBuckets returns Buckets in the logical namespace ns.
func NewBuckets(rest *kvrest.Client, ns string) *Buckets { return &Buckets{rest: rest, ns: ns} }

func bucketKey(episodeID string, t time.Time, unit string) string {
	layout := "2006010215"
	if unit == "m" {
		layout = "200601021504"
	}
	return "bucket:" + unit + ":" + episodeID + ":" + t.UTC().Format(layout)
}

// PrepareYear creates an empty hourly bucket for every hour of the coming
// year so that bulk reads never see holes.
func (b *Buckets) PrepareYear(ctx context.Context, episodeID string, start time.Time) error {
	const hours = 366 * 24
	start = start.UTC().Truncate(time.Hour)
	pairs := make([]kvrest.BulkPair, 0, hours)
	for h := 0; h < hours; h++ {
		pairs = append(pairs, kvrest.BulkPair{
			Key:           bucketKey(episodeID, start.Add(time.Duration(h)*time.Hour), "h"),
			Value:         "0",
			ExpirationTTL: lifetime.Days(400).Seconds(),
		})
	}
	return b.rest.BulkPut(ctx, b.ns, pairs)
}

// PreparePremiere creates per-minute buckets for an episode's first week.
func (b *Buckets) PreparePremiere(ctx context.Context, episodeID string, start time.Time) error {
	const minutes = 7 * 24 * 60
	start = start.UTC().Truncate(time.Minute)
	pairs := make([]kvrest.BulkPair, 0, minutes)
	for m := 0; m < minutes; m++ {
		pairs = append(pairs, kvrest.BulkPair{
			Key:           bucketKey(episodeID, start.Add(time.Duration(m)*time.Minute), "m"),
			Value:         "0",
			ExpirationTTL: lifetime.Days(30).Seconds(),
		})
	}
	return b.rest.BulkPut(ctx, b.ns, pairs) // EXPECT kvlimits
}

func parseBuckets(keys []string, vals map[string]*string) []int64 {
	out := make([]int64, len(keys))
	for i, k := range keys {
		if v := vals[k]; v != nil {
			out[i], _ = strconv.ParseInt(*v, 10, 64)
		}
	}
	return out
}

func hourKeys(episodeID string, end time.Time, n int) []string {
	end = end.UTC().Truncate(time.Hour)
	ks := make([]string, 0, n)
	for h := n - 1; h >= 0; h-- {
		ks = append(ks, bucketKey(episodeID, end.Add(-time.Duration(h)*time.Hour), "h"))
	}
	return ks
}

// Week returns the last 168 hourly figures, oldest first.
func (b *Buckets) Week(ctx context.Context, episodeID string, end time.Time) ([]int64, error) {
	ks := hourKeys(episodeID, end, 7*24)
	vals, err := b.rest.BulkGet(ctx, b.ns, ks) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return parseBuckets(ks, vals), nil
}

// Month returns the last 30 days of hourly figures, oldest first.
func (b *Buckets) Month(ctx context.Context, episodeID string, end time.Time) ([]int64, error) {
	ks := hourKeys(episodeID, end, 30*24)
	all := make(map[string]*string, len(ks))
	for chunk := range slices.Chunk(ks, 100) {
		vals, err := b.rest.BulkGet(ctx, b.ns, chunk)
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			all[k] = v
		}
	}
	return parseBuckets(ks, all), nil
}
