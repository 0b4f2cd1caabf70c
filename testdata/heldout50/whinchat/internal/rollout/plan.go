package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/whinchat/fleet/internal/kvstore"
	"github.com/whinchat/fleet/internal/lease"
)

// Plan assigns one firmware version to a share of a channel's devices.
type Plan struct {
	Tenant  string   `json:"tenant"`
	Channel string   `json:"channel"`
	Version string   `json:"version"`
	Percent int      `json:"percent"`
	Devices []string `json:"devices"`
}

type progress struct {
	Version string    `json:"version"`
	Done    int       `json:"done"`
	Total   int       `json:"total"`
	At      time.Time `json:"at"`
}

type historyEntry struct {
	Version string    `json:"version"`
	Percent int       `json:"percent"`
	At      time.Time `json:"at"`
}

// Rollouts executes plans.
type Rollouts struct {
	pub    *Publisher
	leases *lease.Manager
	state  kvstore.Space // rollout/<tenant>/<channel>/...
}

// NewRollouts returns a Rollouts that announces assignments on pub.
func NewRollouts(root kvstore.Space, pub *Publisher, leases *lease.Manager) *Rollouts {
	return &Rollouts{pub: pub, leases: leases, state: root.Scope("rollout")}
}

// Cohort picks the plan's share of devices deterministically, so that
// raising the percentage only ever adds devices.
func Cohort(devices []string, percent int) []string {
	buckets := make(map[string]uint32, len(devices))
	for _, d := range devices {
		h := fnv.New32a()
		h.Write([]byte(d))
		buckets[d] = h.Sum32() % 100
	}
	var out []string
	for _, d := range slices.Sorted(maps.Keys(buckets)) {
		if int(buckets[d]) < percent {
			out = append(out, d)
		}
	}
	return out
}

// Apply assigns the plan's version to its cohort. Only one plan per channel
// runs at a time.
func (r *Rollouts) Apply(ctx context.Context, plan Plan) error {
	release, err := r.leases.Acquire(ctx, "rollout-"+plan.Tenant+"-"+plan.Channel, 10*time.Minute)
	if err != nil {
		return err
	}
	defer release()
	cohort := Cohort(plan.Devices, plan.Percent)
	ch := r.state.Scope(plan.Tenant, plan.Channel)

	body, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	if err := ch.Put(ctx, "plan", body, 0); err != nil {
		return err
	}
	go r.recordHistory(context.WithoutCancel(ctx), ch, historyEntry{Version: plan.Version, Percent: plan.Percent, At: time.Now().UTC()})

	for i, dev := range cohort {
		ev := FirmwareAssigned{Ref: Ref{plan.Tenant, dev}, Channel: plan.Channel, Version: plan.Version, At: time.Now().UTC()}
		if err := r.pub.Publish(ctx, ev); err != nil {
			return err
		}
		p, err := json.Marshal(progress{Version: plan.Version, Done: i + 1, Total: len(cohort), At: time.Now().UTC()})
		if err != nil {
			return err
		}
		if err := ch.Put(ctx, "progress", p, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// recordHistory appends the plan to the channel's rollout history.
func (r *Rollouts) recordHistory(ctx context.Context, ch kvstore.Space, e historyEntry) {
	var hist []historyEntry
	raw, err := ch.Get(ctx, "history")
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &hist); err != nil {
			slog.Warn("rollout history unreadable", "prefix", ch.Prefix(), "err", err)
			return
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		slog.Warn("rollout history read failed", "prefix", ch.Prefix(), "err", err)
		return
	}
	hist = append(hist, e)
	if len(hist) > 50 {
		hist = hist[len(hist)-50:]
	}
	body, err := json.Marshal(hist)
	if err != nil {
		return
	}
	if err := ch.Put(ctx, "history", body, 0); err != nil { // EXPECT kvrace
		slog.Warn("rollout history write failed", "prefix", ch.Prefix(), "err", err)
	}
}
