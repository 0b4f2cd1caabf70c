package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/piopio/greenhouse/internal/kvrest"
	"github.com/piopio/greenhouse/internal/stream"
)

const (
	// holdReadings is how many consecutive out-of-band readings open an alert.
	holdReadings   = 3
	alertRetention = 7 * 24 * time.Hour
	alertCooldown  = 45 * time.Second
	spikeTTL       = 30 * time.Second
)

// Alert is an open or resolved threshold breach.
type Alert struct {
	ID         string    `json:"id"`
	Greenhouse string    `json:"gh"`
	Metric     string    `json:"metric"`
	Value      float64   `json:"v"`
	Band       Band      `json:"band"`
	OpenedAt   time.Time `json:"opened_at"`
	Resolved   bool      `json:"resolved,omitempty"`
}

// Notifier delivers alerts to operators (SMS, Slack, ...).
type Notifier interface {
	Notify(ctx context.Context, a Alert) error
}

// Evaluator checks readings against per-greenhouse thresholds.
type Evaluator struct {
	NS     *kvrest.Namespace
	Notify Notifier
	Log    *slog.Logger
}

type checked struct {
	R    Reading
	Band Band
	Has  bool
}

type breach struct {
	Since   time.Time `json:"since"`
	Streak  int       `json:"streak"`
	AlertID string    `json:"alert_id,omitempty"`
}

// Run evaluates readings until the channel closes.
func (e *Evaluator) Run(ctx context.Context, readings <-chan Reading) error {
	rt := stream.NewRuntime(ctx, 256)
	src := stream.Via(stream.FromChan(rt, readings), stream.Filter(Reading.Valid))
	withBand := stream.Via(src, kvrest.Enrich(e.NS,
		func(r Reading) string { return thresholdKey(r.Greenhouse) },
		func(r Reading, raw []byte) (checked, error) {
			t := DefaultThresholds()
			if raw != nil {
				if err := json.Unmarshal(raw, &t); err != nil {
					return checked{}, fmt.Errorf("thresholds for %s: %w", r.Greenhouse, err)
				}
			}
			b, ok := t.Metrics[r.Metric]
			return checked{R: r, Band: b, Has: ok}, nil
		}))
	keyed := stream.Via(withBand, stream.KeyBy(func(c checked) string {
		return c.R.Greenhouse + ":" + c.R.Metric
	}))
	alerts := stream.Via(keyed, stream.Process(e.evaluate, e.checkpoint))
	stream.To(alerts, e.openAlert)
	return rt.Wait()
}

func (e *Evaluator) evaluate(ctx context.Context, st *stream.State[breach], kv stream.Keyed[checked], emit func(Alert)) error {
	c := kv.Value
	if !c.Has {
		return nil
	}
	cur, _ := st.Get()
	if c.Band.Contains(c.R.Value) {
		if cur.AlertID != "" {
			emit(Alert{ID: cur.AlertID, Greenhouse: c.R.Greenhouse, Metric: c.R.Metric, Value: c.R.Value, Band: c.Band, Resolved: true})
		}
		st.Clear()
		return nil
	}
	if cur.Streak == 0 {
		cur.Since = c.R.At
	}
	cur.Streak++
	if c.Band.Spike(c.R.Value) {
		b, _ := json.Marshal(c.R)
		key := "spike:" + c.R.SeriesKey() + ":" + strconv.FormatInt(c.R.At.Unix(), 10)
		if err := e.NS.PutTTL(ctx, key, b, spikeTTL); err != nil { // EXPECT kvttl
			return err
		}
	}
	if cur.Streak == holdReadings && cur.AlertID == "" {
		cur.AlertID = newAlertID()
		emit(Alert{ID: cur.AlertID, Greenhouse: c.R.Greenhouse, Metric: c.R.Metric, Value: c.R.Value, Band: c.Band, OpenedAt: cur.Since})
	}
	st.Update(cur)
	return e.NS.Put(ctx, "breaches:"+st.Key(), []byte(strconv.Itoa(cur.Streak)), nil) // EXPECT kvcounter
}

// checkpoint stores the breach state of every key once the input completes so
// that a restarted evaluator resumes streaks.
func (e *Evaluator) checkpoint(ctx context.Context, st *stream.State[breach]) error {
	cur, ok := st.Get()
	if !ok {
		return e.NS.Delete(ctx, "breach-state:"+st.Key())
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	return e.NS.PutTTL(ctx, "breach-state:"+st.Key(), b, 24*time.Hour)
}

func (e *Evaluator) openAlert(ctx context.Context, a Alert) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	key := "alert:" + a.Greenhouse + ":" + a.ID
	if a.Resolved {
		return e.NS.PutTTL(ctx, key, b, alertRetention)
	}
	if err := e.NS.PutTTL(ctx, key, b, alertRetention); err != nil {
		return err
	}
	if err := e.NS.Put(ctx, "alerts:latest", b, nil); err != nil { // EXPECT kvhotkey
		return err
	}
	err = e.NS.Update(ctx, "alerts:open:"+a.Greenhouse, alertRetention, func(old []byte) ([]byte, error) {
		var ids []string
		if old != nil {
			if err := json.Unmarshal(old, &ids); err != nil {
				return nil, err
			}
		}
		return json.Marshal(append(ids, a.ID))
	})
	if err != nil {
		return err
	}
	cooldown := "cooldown:" + a.Greenhouse + ":" + a.Metric
	if err := e.NS.PutUntil(ctx, cooldown, []byte(a.ID), time.Now().Add(alertCooldown)); err != nil { // EXPECT kvttl
		return err
	}
	return e.deliver(ctx, a)
}

func (e *Evaluator) deliver(ctx context.Context, a Alert) error {
	n, err := e.recordAttempt(ctx, a.ID)
	if err != nil {
		return err
	}
	if n > 5 {
		e.Log.Warn("alert notification gave up", "alert", a.ID, "attempts", n)
		return nil
	}
	if err := e.Notify.Notify(ctx, a); err != nil {
		e.Log.Warn("notify failed", "alert", a.ID, "err", err)
	}
	return nil
}

func (e *Evaluator) recordAttempt(ctx context.Context, alertID string) (int, error) {
	key := "notify:attempts:" + alertID
	n := 0
	raw, err := e.NS.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvrest.ErrNotFound):
		return 0, err
	}
	n++
	return n, e.NS.PutTTL(ctx, key, []byte(strconv.Itoa(n)), 24*time.Hour) // EXPECT kvcounter|kvrace
}

func newAlertID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x", b)
}
