// Package schedule runs tenants' scheduled triggers. Triggers are stored in
// KV; one scheduler replica at a time dispatches the due ones.
package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

// Trigger fires a function on a fixed interval. Triggers are small and live
// entirely in key metadata, so one listing loads all of them.
type Trigger struct {
	ID       string        `json:"id"`
	Tenant   string        `json:"tenant"`
	Function string        `json:"function"`
	Every    time.Duration `json:"every"`
	Next     time.Time     `json:"next"`
	LastRun  time.Time     `json:"last_run"`
	Paused   bool          `json:"paused"`
}

// Dispatcher starts an invocation for a trigger.
type Dispatcher interface {
	Dispatch(ctx context.Context, t Trigger) (invocationID string, err error)
}

// Scheduler owns the trigger namespace.
type Scheduler struct {
	store    *kvstore.Store
	dispatch Dispatcher
	replica  string
	log      *slog.Logger
}

// New returns a scheduler. replica identifies this process in the leader key.
func New(store *kvstore.Store, d Dispatcher, replica string, log *slog.Logger) *Scheduler {
	return &Scheduler{store: store, dispatch: d, replica: replica, log: log}
}

const (
	leaderKey   = "sched:leader"
	cursorKey   = "sched:cursor"
	lastTickKey = "sched:last-tick"
	leaderTerm  = 90 * time.Second
	runHistory  = 7 * 24 * time.Hour
	wheelSlots  = 7 * 24 * 60
	minInterval = time.Minute
)

func triggerKey(tenant, id string) string { return "trigger:" + tenant + ":" + id }

// Register stores a trigger and computes its first run.
func (s *Scheduler) Register(ctx context.Context, t Trigger) error {
	if t.Every < minInterval {
		return fmt.Errorf("trigger %s: interval below %s", t.ID, minInterval)
	}
	t.Next = time.Now().Add(t.Every).Truncate(time.Minute)
	return s.store.PutWithMetadata(ctx, triggerKey(t.Tenant, t.ID), nil, 0, t)
}

// all loads every trigger of the installation.
func (s *Scheduler) all(ctx context.Context) ([]Trigger, error) {
	api := s.store.API()
	iter := api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.store.NamespaceID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.store.AccountID()),
		Prefix:    cloudflare.F("trigger:"),
	})
	var out []Trigger
	for iter.Next() {
		var t Trigger
		if b, err := json.Marshal(iter.Current().Metadata); err == nil && json.Unmarshal(b, &t) == nil {
			out = append(out, t)
		}
	}
	return out, iter.Err()
}

// lead makes this replica the leader for one term, unless another replica
// holds it.
func (s *Scheduler) lead(ctx context.Context) (bool, error) {
	raw, err := s.store.Get(ctx, leaderKey)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	if err == nil && string(raw) != s.replica {
		return false, nil
	}
	return true, s.store.Put(ctx, leaderKey, []byte(s.replica), leaderTerm) // EXPECT kvrace
}

// Tick dispatches every due trigger once.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) error {
	ok, err := s.lead(ctx)
	if err != nil || !ok {
		return err
	}
	triggers, err := s.all(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range triggers {
		t := &triggers[i]
		if t.Paused || t.Next.After(now) {
			continue
		}
		invID, err := s.dispatch.Dispatch(ctx, *t)
		if err != nil {
			errs = append(errs, fmt.Errorf("trigger %s: %w", t.ID, err))
			continue
		}
		t.LastRun = now
		for !t.Next.After(now) {
			t.Next = t.Next.Add(t.Every)
		}
		if err := s.store.PutWithMetadata(ctx, triggerKey(t.Tenant, t.ID), nil, 0, t); err != nil { // DEBATABLE kvrace
			errs = append(errs, err)
		}
		if err := s.recordRun(ctx, *t, invID, now); err != nil {
			errs = append(errs, err)
		}
		if err := s.store.Put(ctx, cursorKey, []byte(t.Tenant+"/"+t.ID), 0); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	if err := s.store.Put(ctx, lastTickKey, []byte(now.UTC().Format(time.RFC3339)), 0); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// recordRun keeps a week of run history per trigger for the console.
func (s *Scheduler) recordRun(ctx context.Context, t Trigger, invID string, at time.Time) error {
	key := fmt.Sprintf("run:%s:%s:%d", t.Tenant, t.ID, at.Unix())
	_, err := s.store.API().KV.Namespaces.Values.Update(ctx, s.store.NamespaceID(), key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.store.AccountID()),
		Value:      cloudflare.F(invID),
		Expiration: cloudflare.F(float64(at.Add(runHistory).UnixMilli())), // EXPECT kvttl
	})
	return err
}

// BuildWheel materialises the week's timing wheel: one key per minute of the
// week listing the triggers due in that minute, so that the edge can show
// "next runs" without loading every trigger.
func (s *Scheduler) BuildWheel(ctx context.Context) error {
	triggers, err := s.all(ctx)
	if err != nil {
		return err
	}
	var slots [wheelSlots][]string
	for _, t := range triggers {
		if t.Paused || t.Every <= 0 {
			continue
		}
		step := max(int(t.Every/time.Minute), 1)
		first := minuteOfWeek(t.Next)
		for m := first; m < first+wheelSlots; m += step {
			slots[m%wheelSlots] = append(slots[m%wheelSlots], t.Tenant+"/"+t.ID)
		}
	}
	body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, wheelSlots)
	for m, ids := range slots {
		body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
			Key:   cloudflare.F("wheel:" + strconv.Itoa(m)),
			Value: cloudflare.F(strings.Join(ids, ",")),
		})
	}
	_, err = s.store.API().KV.Namespaces.Keys.BulkUpdate(ctx, s.store.NamespaceID(), kv.NamespaceKeyBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.store.AccountID()),
		Body:      body,
	})
	return err
}

func minuteOfWeek(t time.Time) int {
	t = t.UTC()
	return int(t.Weekday())*24*60 + t.Hour()*60 + t.Minute()
}

// Run ticks until ctx is done.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tk.C:
			if err := s.Tick(ctx, now); err != nil {
				s.log.Warn("scheduler tick", "err", err)
			}
		}
	}
}
