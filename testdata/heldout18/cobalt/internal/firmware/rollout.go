// Package firmware plans and tracks firmware rollouts, caches release
// manifests and stages images.
package firmware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/cobalt/internal/storage"
)

// Errors returned by the rollout service.
var (
	ErrRolloutActive  = errors.New("firmware: fleet already has an active rollout")
	ErrUnknownRollout = errors.New("firmware: unknown rollout")
	ErrBadPlan        = errors.New("firmware: invalid rollout plan")
)

// Event is one entry of a rollout's history.
type Event struct {
	At     time.Time `json:"at"`
	Device string    `json:"device"`
	OK     bool      `json:"ok"`
	Detail string    `json:"detail,omitempty"`
}

// Rollout is a staged firmware update of one fleet.
type Rollout struct {
	ID        string     `json:"id"`
	Fleet     string     `json:"fleet"`
	Firmware  string     `json:"firmware"`
	Waves     [][]string `json:"waves"`
	WindowEnd time.Time  `json:"window_end"`
	Updated   int        `json:"updated"`
	Failed    int        `json:"failed"`
	History   []Event    `json:"history,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Plan is the request to start a rollout.
type Plan struct {
	Fleet     string
	Firmware  string
	Devices   []string
	WaveSize  int
	WindowEnd time.Time
}

// Validate checks the plan.
func (p Plan) Validate() error {
	if p.Fleet == "" || p.Firmware == "" || len(p.Devices) == 0 || p.WaveSize <= 0 {
		return fmt.Errorf("%w: fleet, firmware, devices and a positive wave size are required", ErrBadPlan)
	}
	if !p.WindowEnd.After(time.Now()) {
		return fmt.Errorf("%w: maintenance window already over", ErrBadPlan)
	}
	return nil
}

type waveStatus struct {
	Wave   int       `json:"wave"`
	Staged int       `json:"staged"`
	Of     int       `json:"of"`
	Last   string    `json:"last"`
	At     time.Time `json:"at"`
}

// Rollouts runs rollouts against the registry store.
type Rollouts struct {
	st  storage.Store
	now func() time.Time
	log *slog.Logger
}

// NewRollouts returns the rollout service.
func NewRollouts(st storage.Store, log *slog.Logger) *Rollouts {
	return &Rollouts{st: st, now: time.Now, log: log}
}

func lockKey(fleet string) string    { return "rollout:active:" + fleet }
func rolloutKey(id string) string    { return "rollout:" + id }
func statusKey(id string) string     { return "rollout:status:" + id }
func targetKey(device string) string { return "fw:target:" + device }

const targetTTL = 7 * 24 * time.Hour

func newRolloutID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "ro_" + hex.EncodeToString(b[:])
}

func split(devices []string, size int) [][]string {
	var waves [][]string
	for start := 0; start < len(devices); start += size {
		waves = append(waves, devices[start:min(start+size, len(devices))])
	}
	return waves
}

// Start reserves the fleet, writes the plan and stages the first wave, undoing
// completed steps if a later one fails.
func (r *Rollouts) Start(ctx context.Context, p Plan) (Rollout, error) {
	if err := p.Validate(); err != nil {
		return Rollout{}, err
	}
	ro := Rollout{
		ID: newRolloutID(), Fleet: p.Fleet, Firmware: p.Firmware,
		Waves: split(p.Devices, p.WaveSize), WindowEnd: p.WindowEnd, CreatedAt: r.now().UTC(),
	}
	saga := &Saga{Name: "rollout-start", Log: r.log, Steps: []Step{
		{
			Name: "reserve-fleet",
			Do: func(ctx context.Context) error {
				_, err := r.st.Get(ctx, lockKey(p.Fleet))
				if err == nil {
					return ErrRolloutActive
				}
				if !errors.Is(err, storage.ErrNotFound) {
					return err
				}
				return r.st.Put(ctx, lockKey(p.Fleet), []byte(ro.ID), storage.PutOptions{ // EXPECT kvrace
					TTL: time.Until(p.WindowEnd), // EXPECT kvttl
				})
			},
			Undo: func(ctx context.Context) error { return r.st.Delete(ctx, lockKey(p.Fleet)) },
		},
		{
			Name: "write-plan",
			Do: func(ctx context.Context) error {
				b, err := json.Marshal(ro)
				if err != nil {
					return err
				}
				return r.st.Put(ctx, rolloutKey(ro.ID), b, storage.PutOptions{TTL: 90 * 24 * time.Hour})
			},
			Undo: func(ctx context.Context) error { return r.st.Delete(ctx, rolloutKey(ro.ID)) },
		},
		{
			Name: "stage-first-wave",
			Do:   func(ctx context.Context) error { return r.stageTargets(ctx, ro, 0) },
			Undo: func(ctx context.Context) error {
				var errs []error
				for _, dev := range ro.Waves[0] {
					errs = append(errs, r.st.Delete(ctx, targetKey(dev)))
				}
				return errors.Join(errs...)
			},
		},
	}}
	if err := saga.Run(ctx); err != nil {
		return Rollout{}, err
	}
	return ro, nil
}

// stageTargets tells each device of one wave which firmware to fetch.
func (r *Rollouts) stageTargets(ctx context.Context, ro Rollout, wave int) error {
	for _, dev := range ro.Waves[wave] {
		body := []byte(ro.Firmware)
		err := r.st.Put(ctx, targetKey(dev), body, storage.PutOptions{
			TTL:      targetTTL,
			Metadata: map[string]any{"rollout": ro.ID, "wave": wave, "staged_at": r.now().Unix()},
		})
		if err != nil {
			return fmt.Errorf("stage %s: %w", dev, err)
		}
	}
	return nil
}

// Load returns one rollout.
func (r *Rollouts) Load(ctx context.Context, id string) (Rollout, error) {
	raw, err := r.st.Get(ctx, rolloutKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return Rollout{}, ErrUnknownRollout
	}
	if err != nil {
		return Rollout{}, err
	}
	var ro Rollout
	err = json.Unmarshal(raw, &ro)
	return ro, err
}

// AdvanceWave stages the given wave and publishes progress for dashboards
// as it goes.
func (r *Rollouts) AdvanceWave(ctx context.Context, ro Rollout, wave int) error {
	if wave < 0 || wave >= len(ro.Waves) {
		return fmt.Errorf("firmware: rollout %s has no wave %d", ro.ID, wave)
	}
	devs := ro.Waves[wave]
	for i, dev := range devs {
		if err := r.st.Put(ctx, targetKey(dev), []byte(ro.Firmware), storage.PutOptions{TTL: targetTTL}); err != nil {
			return err
		}
		st, _ := json.Marshal(waveStatus{Wave: wave, Staged: i + 1, Of: len(devs), Last: dev, At: r.now().UTC()})
		if err := r.st.Put(ctx, statusKey(ro.ID), st, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// RecordResult is called when a device reports the outcome of its update.
func (r *Rollouts) RecordResult(ctx context.Context, id, device string, ok bool, detail string) error {
	ro, err := r.Load(ctx, id)
	if err != nil {
		return err
	}
	if ok {
		ro.Updated++
	} else {
		ro.Failed++
	}
	ro.History = append(ro.History, Event{At: r.now().UTC(), Device: device, OK: ok, Detail: detail})
	b, err := json.Marshal(ro)
	if err != nil {
		return err
	}
	return r.st.Put(ctx, rolloutKey(id), b, storage.PutOptions{TTL: 90 * 24 * time.Hour}) // EXPECT kvcounter|kvrace
}
