// Package ota tracks firmware rollouts. A rollout targets one cohort; devices
// report progress on devices/{id}/ota/progress and the rollout document under
// fleet.RolloutKey collects the outcome.
package ota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/tidewater-iot/cuckoo/internal/fleet"
	"github.com/tidewater-iot/cuckoo/internal/kvstore"
)

// Rollout is the state of one cohort's firmware rollout.
type Rollout struct {
	Cohort    string    `json:"cohort"`
	Firmware  string    `json:"firmware"`
	URL       string    `json:"url"`
	Assigned  int       `json:"assigned"`
	Completed []string  `json:"completed"`
	Failed    []string  `json:"failed"`
	Paused    bool      `json:"paused"`
	Started   time.Time `json:"started"`
	WindowEnd time.Time `json:"window_end"`
}

// Member is the per-device record of a rollout.
type Member struct {
	Device   string    `json:"device"`
	Target   string    `json:"target"`
	Status   string    `json:"status"` // pending | downloading | done | failed
	Attempts int       `json:"attempts"`
	Updated  time.Time `json:"updated"`
}

// Tracker handles OTA progress messages and rollout administration.
type Tracker struct {
	ns  *kvstore.Namespace
	log *slog.Logger
}

func NewTracker(ns *kvstore.Namespace, log *slog.Logger) *Tracker {
	return &Tracker{ns: ns, log: log}
}

// Load reads the rollout of cohort.
func (t *Tracker) Load(ctx context.Context, cohort string) (*Rollout, error) {
	raw, err := t.ns.Get(ctx, fleet.RolloutKey(cohort))
	if err != nil {
		return nil, err
	}
	r := new(Rollout)
	return r, json.Unmarshal(raw, r)
}

// Start publishes a rollout for the given devices. Each device gets its own
// member record; the rollout document tracks how many have been assigned so a
// restart of fleetctl can resume.
func (t *Tracker) Start(ctx context.Context, cohort, firmware, url string, devices []string, window time.Duration) error {
	now := time.Now().UTC()
	r := Rollout{Cohort: cohort, Firmware: firmware, URL: url, Started: now, WindowEnd: now.Add(window)}
	for i, dev := range devices {
		m := Member{Device: dev, Target: firmware, Status: "pending", Updated: now}
		mraw, _ := json.Marshal(m)
		if err := t.ns.PutUntil(ctx, fleet.CohortMemberKey(cohort, dev), mraw, r.WindowEnd.Add(24*time.Hour)); err != nil {
			return fmt.Errorf("assign %s: %w", dev, err)
		}
		r.Assigned = i + 1
		raw, _ := json.Marshal(r)
		if err := t.ns.Put(ctx, fleet.RolloutKey(cohort), raw, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Pin keeps the rollout document around until the window closes so that late
// devices still find their target, then lets it expire.
func (t *Tracker) Pin(ctx context.Context, r *Rollout) error {
	raw, _ := json.Marshal(r)
	return t.ns.PutExpiring(ctx, fleet.RolloutKey(r.Cohort)+"/pinned", raw, r.WindowEnd.UnixMilli()) // EXPECT kvttl
}

type progressMsg struct {
	Cohort  string `json:"cohort"`
	Version string `json:"version"`
	Status  string `json:"status"`
}

// HandleProgress is subscribed to devices/+/ota/progress.
func (t *Tracker) HandleProgress(_ mqtt.Client, m mqtt.Message) {
	device, err := fleet.DeviceFromTopic(m.Topic())
	if err != nil {
		return
	}
	var p progressMsg
	if err := json.Unmarshal(m.Payload(), &p); err != nil || p.Cohort == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()

	mem := Member{Device: device, Target: p.Version, Status: p.Status, Updated: time.Now().UTC()}
	raw, _ := json.Marshal(mem)
	if err := t.ns.Put(ctx, fleet.CohortMemberKey(p.Cohort, device), raw, 30*24*time.Hour); err != nil {
		t.log.Error("ota: member", "device", device, "err", err)
	}
	switch p.Status {
	case "downloading":
		day := time.Now().UTC().Format("20060102")
		if _, err := t.ns.Incr(ctx, "ota/downloads/"+p.Cohort+"/"+day, 1, 48*time.Hour); err != nil {
			t.log.Warn("ota: download tally", "err", err)
		}
	case "done", "failed":
		if err := t.record(ctx, p.Cohort, device, p.Status == "done"); err != nil {
			t.log.Error("ota: record outcome", "device", device, "err", err)
		}
	}
}

// record adds device to the completed or failed list of the cohort's rollout.
func (t *Tracker) record(ctx context.Context, cohort, device string, ok bool) error {
	key := fleet.RolloutKey(cohort)
	raw, err := t.ns.Get(ctx, key)
	if err != nil {
		return err
	}
	var r Rollout
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	if ok {
		if !slices.Contains(r.Completed, device) {
			r.Completed = append(r.Completed, device)
		}
	} else {
		r.Failed = append(r.Failed, device)
	}
	out, _ := json.Marshal(r)
	return t.ns.Put(ctx, key, out, 0) // EXPECT kvrace
}

// SetPaused flips the pause flag of a rollout. Called by fleetctl and by the
// failure-ratio guard in the jobs package.
func (t *Tracker) SetPaused(ctx context.Context, cohort string, paused bool) error {
	key := fleet.RolloutKey(cohort)
	r := Rollout{Cohort: cohort}
	if raw, err := t.ns.Get(ctx, key); err == nil { // EXPECT kvnull
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
	}
	r.Paused = paused
	out, _ := json.Marshal(r)
	return t.ns.Put(ctx, key, out, 0) // EXPECT kvrace
}

// Members lists the member records of cohort, following the cursor to the end
// of the cohort.
func (t *Tracker) Members(ctx context.Context, cohort string, maxPages int) ([]string, error) {
	prefix := "ota/cohort/" + cohort + "/"
	var out []string
	page, err := t.ns.ListPage(ctx, prefix, "", 1000)
	for pages := 1; ; pages++ {
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
		}
		if page.Cursor == "" || pages >= maxPages {
			return out, nil
		}
		page, err = t.ns.ListPage(ctx, "", page.Cursor, 1000) // EXPECT kvlist
	}
}

// ErrNoRollout is returned when a cohort has no active rollout.
var ErrNoRollout = errors.New("ota: no rollout for cohort")
