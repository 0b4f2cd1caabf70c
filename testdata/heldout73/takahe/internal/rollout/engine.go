// Package rollout drives firmware rollouts wave by wave. Each rollout is a
// small state machine; the states publish manifests, target devices and
// record the outcome of each wave.
package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/takahe-iot/takahe/internal/kvstore"
)

// ErrLocked is returned when another rollout holds the model.
var ErrLocked = errors.New("rollout: model is locked by another rollout")

// Plan is the stored definition of a rollout.
type Plan struct {
	ID        string        `json:"id"`
	Model     string        `json:"model"`
	Channel   string        `json:"channel"`
	Version   string        `json:"version"`
	ImageURL  string        `json:"image_url"`
	SHA256    string        `json:"sha256"`
	Waves     []int         `json:"waves"` // percentage of the cohort per wave
	Soak      time.Duration `json:"soak"`
	Deadline  time.Time     `json:"deadline"`
	History   []WaveResult  `json:"history"`
	Completed bool          `json:"completed"`
}

// WaveResult is appended to the plan after each wave.
type WaveResult struct {
	Wave     int       `json:"wave"`
	Targeted int       `json:"targeted"`
	At       time.Time `json:"at"`
}

// Manifest is what devices fetch from the edge.
type Manifest struct {
	Model    string `json:"model"`
	Version  string `json:"version"`
	ImageURL string `json:"image_url"`
	SHA256   string `json:"sha256"`
	Rollout  string `json:"rollout"`
}

// Engine runs rollouts against one namespace.
type Engine struct {
	NS     *kvstore.Namespace
	Log    *slog.Logger
	LockTT time.Duration
}

type rollout struct {
	ctx context.Context
	e   *Engine
	id  string

	plan     Plan
	cohort   []string
	wave     int
	lockKey  string
	lockTTL  time.Duration
	holdKey  string
	holdTTL  time.Duration
	progress string

	err error
}

type stateFn func(*rollout) stateFn

// Advance runs the rollout id until it needs to wait for a soak period or
// finishes.
func (e *Engine) Advance(ctx context.Context, id string) error {
	r := &rollout{ctx: ctx, e: e, id: id, lockTTL: max(e.LockTT, 5*time.Minute)}
	for state := stateFn(loadPlan); state != nil; {
		state = state(r)
	}
	return r.err
}

func (r *rollout) fail(err error) stateFn {
	r.err = fmt.Errorf("rollout %s: %w", r.id, err)
	return nil
}

func planKey(id string) string { return "rollout/plan/" + id }

func loadPlan(r *rollout) stateFn {
	raw, err := r.e.NS.Get(r.ctx, planKey(r.id))
	if err != nil {
		return r.fail(err)
	}
	if err := json.Unmarshal(raw, &r.plan); err != nil {
		return r.fail(err)
	}
	if r.plan.Completed {
		return nil
	}
	r.wave = len(r.plan.History)
	r.lockKey = "rollout/lock/" + r.plan.Model
	r.holdKey = "rollout/hold/" + r.id
	r.progress = "rollout/progress/" + r.id
	return checkHold
}

func checkHold(r *rollout) stateFn {
	_, err := r.e.NS.Get(r.ctx, r.holdKey)
	switch {
	case err == nil:
		return nil // still soaking
	case errors.Is(err, kvstore.ErrNotFound):
		return acquireLock
	default:
		return r.fail(err)
	}
}

func acquireLock(r *rollout) stateFn {
	owner, err := r.e.NS.Get(r.ctx, r.lockKey)
	if err == nil && string(owner) != r.id {
		return r.fail(ErrLocked)
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return r.fail(err)
	}
	if err := r.e.NS.Put(r.ctx, r.lockKey, []byte(r.id), r.lockTTL); err != nil { // EXPECT kvrace
		return r.fail(err)
	}
	return loadCohort
}

func loadCohort(r *rollout) stateFn {
	page, err := r.e.NS.Client.KV.Namespaces.Keys.List(r.ctx, r.e.NS.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.e.NS.AccountID),
		Prefix:    cloudflare.F("cohort/" + r.plan.Model + "/"),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return r.fail(err)
	}
	r.cohort = r.cohort[:0]
	for _, k := range page.Result {
		r.cohort = append(r.cohort, strings.TrimPrefix(k.Name, "cohort/"+r.plan.Model+"/"))
	}
	if r.wave == 0 {
		return publishManifest
	}
	return targetWave
}

func publishManifest(r *rollout) stateFn {
	m := Manifest{Model: r.plan.Model, Version: r.plan.Version, ImageURL: r.plan.ImageURL, SHA256: r.plan.SHA256, Rollout: r.id}
	raw, _ := json.Marshal(m)
	_, err := r.e.NS.Client.KV.Namespaces.Values.Update(r.ctx, r.e.NS.ID, "manifest/"+r.plan.Model+"/"+r.plan.Channel+"/staged", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.e.NS.AccountID),
		Value:     cloudflare.F(string(raw)),
		Metadata:  cloudflare.F[any](map[string]string{"version": r.plan.Version, "rollout": r.id}),
	})
	if err != nil {
		return r.fail(err)
	}
	return targetWave
}

func targetWave(r *rollout) stateFn {
	if r.wave >= len(r.plan.Waves) {
		return finish
	}
	upto := len(r.cohort) * r.plan.Waves[r.wave] / 100
	start := 0
	if r.wave > 0 {
		start = len(r.cohort) * r.plan.Waves[r.wave-1] / 100
	}
	batch := r.cohort[start:upto]
	for i, dev := range batch {
		if err := r.e.NS.Put(r.ctx, "rollout/target/"+dev, []byte(r.plan.Version), 0); err != nil {
			return r.fail(err)
		}
		status := fmt.Sprintf(`{"wave":%d,"done":%d,"of":%d}`, r.wave, i+1, len(batch))
		if err := r.e.NS.Put(r.ctx, r.progress, []byte(status), 0); err != nil { // EXPECT kvhotkey
			return r.fail(err)
		}
	}
	r.e.Log.Info("wave targeted", "rollout", r.id, "wave", r.wave, "devices", len(batch))
	return recordWave(len(batch))
}

// recordWave returns a state that appends the wave's result to the plan.
func recordWave(targeted int) stateFn {
	return func(r *rollout) stateFn {
		raw, err := r.e.NS.Get(r.ctx, planKey(r.id))
		if err != nil {
			return r.fail(err)
		}
		var p Plan
		if err := json.Unmarshal(raw, &p); err != nil {
			return r.fail(err)
		}
		p.History = append(p.History, WaveResult{Wave: r.wave, Targeted: targeted, At: time.Now().UTC()})
		out, _ := json.Marshal(p)
		if err := r.e.NS.Put(r.ctx, planKey(r.id), out, 0); err != nil { // EXPECT kvrace
			return r.fail(err)
		}
		r.plan = p
		return hold
	}
}

func hold(r *rollout) stateFn {
	r.holdTTL = time.Until(r.plan.Deadline) // EXPECT kvttl
	if soak := r.plan.Soak; soak > 0 && soak < r.holdTTL {
		r.holdTTL = soak
	}
	if err := r.e.NS.Put(r.ctx, r.holdKey, []byte(time.Now().UTC().Format(time.RFC3339)), r.holdTTL); err != nil {
		return r.fail(err)
	}
	return nil
}

func finish(r *rollout) stateFn {
	m := Manifest{Model: r.plan.Model, Version: r.plan.Version, ImageURL: r.plan.ImageURL, SHA256: r.plan.SHA256, Rollout: r.id}
	raw, _ := json.Marshal(m)
	if err := r.e.NS.Put(r.ctx, "manifest/"+r.plan.Model+"/"+r.plan.Channel, raw, 0); err != nil {
		return r.fail(err)
	}
	_, err := r.e.NS.Client.KV.Namespaces.Values.Update(r.ctx, r.e.NS.ID, "rollout/done/"+r.id, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(r.e.NS.AccountID),
		Value:      cloudflare.F(r.plan.Version),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	if err != nil {
		return r.fail(err)
	}
	return releaseLock
}

func releaseLock(r *rollout) stateFn {
	if err := r.e.NS.Delete(r.ctx, r.lockKey); err != nil {
		r.e.Log.Warn("lock release failed", "rollout", r.id, "err", err)
	}
	return nil
}

// Pause extends the hold of a rollout until the operator resumes it, for at
// most until the rollout's deadline.
func (e *Engine) Pause(ctx context.Context, id string, until time.Time) error {
	ttl := max(time.Until(until), kvstore.MinTTL)
	return e.NS.Put(ctx, "rollout/hold/"+id, []byte("paused"), ttl)
}
