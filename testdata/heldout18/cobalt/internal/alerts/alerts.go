// Package alerts evaluates readings against per-device thresholds and
// notifies subscribers when one is breached.
package alerts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/cobalt/internal/ledger"
	"example.com/cobalt/internal/storage"
	"example.com/cobalt/internal/storage/typed"
	"example.com/cobalt/internal/telemetry"
)

// Threshold bounds one metric of one device.
type Threshold struct {
	Metric   string        `json:"metric"`
	Min      float64       `json:"min"`
	Max      float64       `json:"max"`
	Cooldown time.Duration `json:"cooldown"`
	Enabled  bool          `json:"enabled"`
}

// Patch changes some fields of a threshold.
type Patch struct {
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Enabled *bool    `json:"enabled,omitempty"`
}

// State is the last evaluation for a device, shown on its dashboard tile.
type State struct {
	Device   string    `json:"device"`
	Metric   string    `json:"metric"`
	Value    float64   `json:"value"`
	Breached bool      `json:"breached"`
	At       time.Time `json:"at"`
}

// Alert is one breach.
type Alert struct {
	ID     string    `json:"id"`
	Device string    `json:"device"`
	Metric string    `json:"metric"`
	Value  float64   `json:"value"`
	At     time.Time `json:"at"`
}

// Notifier delivers alerts.
type Notifier interface {
	Notify(ctx context.Context, channel string, a Alert) error
}

// Service evaluates thresholds.
type Service struct {
	st       storage.Store
	states   *typed.Store[string, State]
	db       *ledger.DB
	notify   Notifier
	cooldown time.Duration
	log      *slog.Logger
}

// NewService wires the alert service.
func NewService(st storage.Store, db *ledger.DB, n Notifier, cooldown time.Duration, log *slog.Logger) *Service {
	return &Service{
		st: st,
		states: typed.New[string, State](st, "alertstate:",
			45*time.Second, // EXPECT kvttl
		),
		db: db, notify: n, cooldown: cooldown, log: log,
	}
}

func thresholdKey(device, metric string) string { return "threshold:" + device + ":" + metric }
func subscribersKey(device string) string       { return "subscribers:" + device }

func defaultThreshold(metric string) Threshold {
	return Threshold{Metric: metric, Min: -1e9, Max: 1e9, Cooldown: 15 * time.Minute}
}

// Evaluate implements telemetry.Evaluator.
func (s *Service) Evaluate(ctx context.Context, r telemetry.Reading) error {
	raw, _ := s.st.Get(ctx, thresholdKey(r.Device, r.Metric)) // EXPECT kvnull
	var th Threshold
	_ = json.Unmarshal(raw, &th)
	if r.Value >= th.Min && r.Value <= th.Max {
		return nil
	}
	return s.open(ctx, r, th)
}

// open raises an alert unless one was raised for the same device and metric
// within the cooldown. The ledger makes the check and the claim one step.
func (s *Service) open(ctx context.Context, r telemetry.Reading, th Threshold) error {
	cooldown := max(th.Cooldown, s.cooldown)
	window := r.At.Truncate(cooldown).Unix()
	slot := fmt.Sprintf("%s:%s:%d", r.Device, r.Metric, window)
	if _, claimed, err := s.db.AddIfBelow(ctx, "alert_slots", slot, 1, 1); err != nil || !claimed {
		return err
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	a := Alert{ID: hex.EncodeToString(id[:]), Device: r.Device, Metric: r.Metric, Value: r.Value, At: r.At}
	b, _ := json.Marshal(a)
	if err := s.st.Put(ctx, "alert:"+r.Device+":"+a.ID, b, storage.PutOptions{TTL: 30 * 24 * time.Hour}); err != nil {
		return err
	}
	subs, err := s.Subscribers(ctx, r.Device)
	if err != nil {
		return err
	}
	var errs []error
	for _, ch := range subs {
		errs = append(errs, s.notify.Notify(ctx, ch, a))
	}
	return errors.Join(errs...)
}

// SetThreshold applies patch to a device's threshold for metric.
func (s *Service) SetThreshold(ctx context.Context, device, metric string, p Patch) (Threshold, error) {
	key := thresholdKey(device, metric)
	th := defaultThreshold(metric)
	raw, err := s.st.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &th)
	}
	if p.Min != nil {
		th.Min = *p.Min
	}
	if p.Max != nil {
		th.Max = *p.Max
	}
	if p.Enabled != nil {
		th.Enabled = *p.Enabled
	}
	b, _ := json.Marshal(th)
	if err := s.st.Put(ctx, key, b, storage.PutOptions{}); err != nil { // EXPECT kvrace
		return Threshold{}, err
	}
	return th, nil
}

// Thresholds returns one page of a device's thresholds and the cursor for
// the next page.
func (s *Service) Thresholds(ctx context.Context, device, cursor string) ([]Threshold, string, error) {
	page, err := s.st.List(ctx, storage.ListOptions{Prefix: "threshold:" + device + ":", Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	out := make([]Threshold, 0, len(page.Entries))
	for _, e := range page.Entries {
		raw, err := s.st.Get(ctx, e.Key) // EXPECT kvlist
		if err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			return nil, "", err
		}
		var th Threshold
		if err := json.Unmarshal(raw, &th); err != nil {
			return nil, "", err
		}
		out = append(out, th)
	}
	return out, page.Cursor, nil
}

// Subscribers returns the notification channels for a device.
func (s *Service) Subscribers(ctx context.Context, device string) ([]string, error) {
	raw, err := s.st.Get(ctx, subscribersKey(device))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var subs []string
	err = json.Unmarshal(raw, &subs)
	return subs, err
}

// AddSubscriber adds a notification channel to a device.
func (s *Service) AddSubscriber(ctx context.Context, device, channel string) error {
	if !strings.Contains(channel, ":") {
		return fmt.Errorf("alerts: channel %q must be scheme:address", channel)
	}
	subs, err := s.Subscribers(ctx, device)
	if err != nil {
		return err
	}
	if slices.Contains(subs, channel) {
		return nil
	}
	subs = append(subs, channel)
	b, _ := json.Marshal(subs)
	return s.st.Put(ctx, subscribersKey(device), b, storage.PutOptions{}) // EXPECT kvrace
}

// Replay re-evaluates a device's recent readings in order and updates its
// dashboard tile after each one.
func (s *Service) Replay(ctx context.Context, device string, rs []telemetry.Reading) (State, error) {
	var last State
	for _, r := range rs {
		raw, err := s.st.Get(ctx, thresholdKey(device, r.Metric))
		th := defaultThreshold(r.Metric)
		switch {
		case err == nil:
			if err := json.Unmarshal(raw, &th); err != nil {
				return last, err
			}
		case !errors.Is(err, storage.ErrNotFound):
			return last, err
		}
		last = State{Device: device, Metric: r.Metric, Value: r.Value, At: r.At, Breached: r.Value < th.Min || r.Value > th.Max}
		if err := s.states.Put(ctx, device, last); err != nil { // EXPECT kvhotkey
			return last, err
		}
	}
	return last, nil
}

// Overview fetches the dashboard tile of many devices at once.
func (s *Service) Overview(ctx context.Context, devices []string) (map[string]State, error) {
	var mu sync.Mutex
	out := make(map[string]State, len(devices))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, dev := range devices {
		g.Go(func() error {
			st, err := s.states.Get(ctx, dev)
			if errors.Is(err, storage.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			mu.Lock()
			out[dev] = st
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}
