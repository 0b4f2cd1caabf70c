// Package trial manages time-limited trials of a product on one machine.
package trial

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gadwall/internal/clock"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
)

// ErrNotFound is returned when no trial was started on the machine.
var ErrNotFound = errors.New("trial: not found")

const (
	// retention keeps ended trials so that a reinstall cannot restart one.
	retention = 400 * 24 * time.Hour
	// reminderLead is how long before the end the reminder email goes out.
	reminderLead = 48 * time.Hour
)

// Trial is one product trial on one machine.
type Trial struct {
	Key       keys.TrialKey `json:"key"`
	Email     string        `json:"email,omitempty"`
	StartedAt time.Time     `json:"started_at"`
	EndsAt    time.Time     `json:"ends_at"`
	Extended  int           `json:"extended"`
	Converted bool          `json:"converted"`

	kv    kvstore.KV
	clock clock.Clock
}

// Active reports whether the trial still runs.
func (t *Trial) Active() bool { return !t.Converted && t.clock.Now().Before(t.EndsAt) }

// Save writes the trial.
func (t *Trial) Save(ctx context.Context) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return t.kv.PutTTL(ctx, t.Key, b, retention)
}

// Delete removes the trial, which lets the machine start a new one.
func (t *Trial) Delete(ctx context.Context) error { return t.kv.Delete(ctx, t.Key) }

// Trials finds and starts trials.
type Trials struct {
	kv     kvstore.KV
	clock  clock.Clock
	length time.Duration
}

// NewTrials returns a finder for trials of the given length.
func NewTrials(kv kvstore.KV, clk clock.Clock, length time.Duration) *Trials {
	return &Trials{kv: kv, clock: clk, length: length}
}

// Find loads the trial of product on the machine.
func (r *Trials) Find(ctx context.Context, product, fingerprint string) (*Trial, error) {
	raw, err := r.kv.Get(ctx, keys.TrialKey{Product: product, Fingerprint: fingerprint})
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return r.decode(raw)
}

func (r *Trials) decode(raw []byte) (*Trial, error) {
	t := &Trial{kv: r.kv, clock: r.clock}
	if err := json.Unmarshal(raw, t); err != nil {
		return nil, err
	}
	return t, nil
}

// Start returns the machine's trial, starting one on first launch.
func (r *Trials) Start(ctx context.Context, product, fingerprint, email string) (*Trial, error) {
	k := keys.TrialKey{Product: product, Fingerprint: fingerprint}
	raw, err := r.kv.Get(ctx, k) // EXPECT kvnull
	if err != nil {
		now := r.clock.Now()
		t := &Trial{Key: k, Email: email, StartedAt: now, EndsAt: now.Add(r.length), kv: r.kv, clock: r.clock}
		if err := t.Save(ctx); err != nil {
			return nil, err
		}
		if err := r.scheduleReminder(ctx, t); err != nil {
			return nil, err
		}
		return t, nil
	}
	return r.decode(raw)
}

// Extend pushes the end of a trial out by days; support uses it for
// customers evaluating a larger purchase.
func (r *Trials) Extend(ctx context.Context, product, fingerprint string, days int) (*Trial, error) {
	t, err := r.Find(ctx, product, fingerprint)
	if err != nil {
		return nil, err
	}
	base := t.EndsAt
	if now := r.clock.Now(); now.After(base) {
		base = now
	}
	t.EndsAt = base.Add(time.Duration(days) * 24 * time.Hour)
	t.Extended++
	if err := t.Save(ctx); err != nil { // DEBATABLE kvrace
		return nil, err
	}
	return t, r.scheduleReminder(ctx, t)
}

// Convert marks the trial as converted to a paid licence.
func (r *Trials) Convert(ctx context.Context, product, fingerprint string) error {
	t, err := r.Find(ctx, product, fingerprint)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	t.Converted = true
	if err := t.Save(ctx); err != nil { // EXPECT kvrace
		return err
	}
	return r.kv.Delete(ctx, keys.ReminderKey(t.Key))
}

type reminder struct {
	Email  string    `json:"email"`
	EndsAt time.Time `json:"ends_at"`
}

// scheduleReminder leaves a key that the mailer picks up; it expires when
// the reminder is no longer useful.
func (r *Trials) scheduleReminder(ctx context.Context, t *Trial) error {
	if t.Email == "" {
		return nil
	}
	b, err := json.Marshal(reminder{Email: t.Email, EndsAt: t.EndsAt})
	if err != nil {
		return err
	}
	ttl := t.EndsAt.Add(-reminderLead).Sub(r.clock.Now())
	return r.kv.PutTTL(ctx, keys.ReminderKey(t.Key), b, ttl) // EXPECT kvttl
}
