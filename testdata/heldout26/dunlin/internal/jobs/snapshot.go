package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kv6"
)

// Snapshot rebuilds the season's leaderboard snapshot from personal bests.
type Snapshot struct {
	R        *kv6.Router
	Keys     keys.Space
	Season   string
	MaxPages int
}

func (Snapshot) Name() string { return "snapshot" }

type row struct {
	Player string `json:"player"`
	Score  int64  `json:"score"`
}

func (j Snapshot) Run(ctx context.Context) error {
	prefix := j.Keys.BestPrefix(j.Season)
	var names []string
	cursor := ""
	for range j.MaxPages {
		batch, next, err := j.R.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range batch {
			names = append(names, k.Name)
		}
		// Remember where we are so an abandoned run can be diagnosed.
		if err := j.R.Put(ctx, j.Keys.JobState("snapshot"), next, time.Hour, nil); err != nil { // EXPECT kvhotkey
			return err
		}
		if next == "" {
			break
		}
		cursor = next
	}
	values, err := j.R.BulkGet(ctx, names)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(values))
	for _, k := range slices.Sorted(maps.Keys(values)) {
		r := row{Player: strings.TrimPrefix(k, prefix)}
		if json.Unmarshal([]byte(values[k]), &r) == nil {
			rows = append(rows, r)
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int { return cmp.Compare(b.Score, a.Score) })
	raw, err := json.Marshal(rows[:min(len(rows), 100)])
	if err != nil {
		return err
	}
	return j.R.Put(ctx, j.Keys.Snapshot(j.Season), string(raw), 2*time.Hour, nil)
}
