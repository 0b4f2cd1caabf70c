// Package dunning tracks failed payments and moves customers through the
// dunning stages (grace, past due, suspended).
package dunning

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

// Stage is a dunning stage.
type Stage string

const (
	StageCurrent   Stage = "current"
	StageGrace     Stage = "grace"
	StagePastDue   Stage = "past_due"
	StageSuspended Stage = "suspended"
)

// Transition is one stage change.
type Transition struct {
	From   Stage     `json:"from"`
	To     Stage     `json:"to"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// State is a customer's dunning state.
type State struct {
	CustomerID string       `json:"customer_id"`
	Stage      Stage        `json:"stage"`
	History    []Transition `json:"history"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

// Config tunes the dunning policy.
type Config struct {
	GracePeriod      time.Duration
	ReminderCooldown time.Duration
	MaxFailedCharges int
	RetrySchedule    []time.Duration
}

// Notifier emails customers.
type Notifier interface {
	PaymentReminder(ctx context.Context, customerID string, stage Stage) error
}

// Charger retries a customer's outstanding balance.
type Charger interface {
	Retry(ctx context.Context, customerID string) error
}

// Service runs the dunning workflow.
type Service struct {
	kv      kvstore.KV
	states  *kvstore.Store[State]
	scanner kvstore.Scanner
	clock   clock.Clock
	cfg     Config
	notify  Notifier
	charger Charger
}

// New wires the service.
func New(kv kvstore.KV, scanner kvstore.Scanner, clk clock.Clock, cfg Config, notify Notifier, charger Charger) *Service {
	if cfg.MaxFailedCharges == 0 {
		cfg.MaxFailedCharges = 4
	}
	if len(cfg.RetrySchedule) == 0 {
		cfg.RetrySchedule = []time.Duration{24 * time.Hour, 72 * time.Hour, 5 * 24 * time.Hour}
	}
	return &Service{
		kv:      kv,
		states:  kvstore.NewStore[State](kv, func(id string) string { return "dunning:state:" + id }),
		scanner: scanner,
		clock:   clk,
		cfg:     cfg,
		notify:  notify,
		charger: charger,
	}
}

const retryPrefix = "dunning:retry:"

// RecordFailedCharge counts a failed charge, schedules a retry and moves
// the customer along when the budget is spent.
func (s *Service) RecordFailedCharge(ctx context.Context, customerID string) (int, error) {
	key := "dunning:failed:" + customerID
	// The failure budget resets once the grace period passes quietly.
	keep := kvstore.WithTTLSeconds(int64(s.cfg.GracePeriod)) // EXPECT kvttl
	failed := 0
	raw, err := s.kv.Get(ctx, key)
	switch {
	case kvstore.IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		failed, _ = strconv.Atoi(string(raw))
	}
	failed++
	if err := s.kv.Put(ctx, key, []byte(strconv.Itoa(failed)), keep); err != nil { // EXPECT kvcounter
		return failed, err
	}

	now := s.clock.Now()
	next := now.Add(s.cfg.RetrySchedule[min(failed-1, len(s.cfg.RetrySchedule)-1)])
	if next.Sub(now) < time.Minute {
		next = now.Add(time.Minute)
	}
	if err := s.kv.Put(ctx, retryPrefix+customerID, []byte(next.UTC().Format(time.RFC3339)), kvstore.ExpireAt(next.Add(time.Hour))); err != nil {
		return failed, err
	}

	to := StageGrace
	if failed >= s.cfg.MaxFailedCharges {
		to = StagePastDue
	}
	_, err = s.Transition(ctx, customerID, to, fmt.Sprintf("charge failed (%d)", failed))
	return failed, err
}

// ChargeSucceeded clears the failure budget and returns to current.
func (s *Service) ChargeSucceeded(ctx context.Context, customerID string) error {
	if err := s.kv.Delete(ctx, "dunning:failed:"+customerID); err != nil {
		return err
	}
	if err := s.kv.Delete(ctx, retryPrefix+customerID); err != nil {
		return err
	}
	_, err := s.Transition(ctx, customerID, StageCurrent, "charge succeeded")
	return err
}

// Transition moves a customer to stage to and records why.
func (s *Service) Transition(ctx context.Context, customerID string, to Stage, reason string) (State, error) {
	st, err := s.states.Get(ctx, customerID)
	if kvstore.IsNotFound(err) {
		st = State{CustomerID: customerID, Stage: StageCurrent}
	} else if err != nil {
		return State{}, err
	}
	if st.Stage == to {
		return st, nil
	}
	now := s.clock.Now().UTC()
	st.History = append(st.History, Transition{From: st.Stage, To: to, Reason: reason, At: now})
	if len(st.History) > 50 {
		st.History = st.History[len(st.History)-50:]
	}
	st.Stage, st.UpdatedAt = to, now
	if err := s.states.Put(ctx, customerID, st); err != nil { // EXPECT kvrace
		return State{}, err
	}
	return st, nil
}

// Current returns a customer's dunning state.
func (s *Service) Current(ctx context.Context, customerID string) (State, error) {
	st, err := s.states.Get(ctx, customerID)
	if kvstore.IsNotFound(err) {
		return State{CustomerID: customerID, Stage: StageCurrent}, nil
	}
	return st, err
}

// Remind emails a reminder unless one went out within the cooldown.
func (s *Service) Remind(ctx context.Context, customerID string) (bool, error) {
	key := "dunning:reminded:" + customerID
	if _, err := s.kv.Get(ctx, key); err == nil {
		return false, nil
	} else if !kvstore.IsNotFound(err) {
		return false, err
	}
	st, err := s.Current(ctx, customerID)
	if err != nil {
		return false, err
	}
	if err := s.notify.PaymentReminder(ctx, customerID, st.Stage); err != nil {
		return false, err
	}
	stamp := []byte(s.clock.Now().UTC().Format(time.RFC3339))
	return true, s.kv.Put(ctx, key, stamp, kvstore.WithTTL(s.cfg.ReminderCooldown)) // DEBATABLE kvrace
}

// Sweep retries every customer with a scheduled retry that is due and
// sends reminders.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	keys, err := s.scanner.KeysWithPrefix(ctx, retryPrefix)
	if err != nil {
		return 0, err
	}
	now, retried := s.clock.Now(), 0
	for _, k := range keys {
		customerID := strings.TrimPrefix(k, retryPrefix)
		raw, err := s.kv.Get(ctx, k) // EXPECT kvlist
		if err != nil {
			continue
		}
		due, err := time.Parse(time.RFC3339, string(raw))
		if err != nil || due.After(now) {
			continue
		}
		if err := s.charger.Retry(ctx, customerID); err != nil {
			if _, rerr := s.Remind(ctx, customerID); rerr != nil {
				return retried, rerr
			}
			continue
		}
		retried++
	}
	return retried, nil
}
