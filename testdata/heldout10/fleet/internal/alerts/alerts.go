// Package alerts evaluates operator-defined alert rules against telemetry.
package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/fleet/internal/codec"
	"example.com/fleet/internal/keys"
	"example.com/fleet/internal/kvstore"
	"example.com/fleet/internal/repo"
)

// Rule fires when Metric crosses Threshold on any device.
type Rule struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Metric    string  `json:"metric"`
	Above     bool    `json:"above"`
	Threshold float64 `json:"threshold"`
	Severity  string  `json:"severity"`
}

func (r Rule) breached(v float64) bool {
	if r.Above {
		return v > r.Threshold
	}
	return v < r.Threshold
}

// State is the live state of one rule.
type State struct {
	Firing    bool      `json:"firing"`
	Since     time.Time `json:"since"`
	Devices   []string  `json:"devices"`
	AckedBy   []string  `json:"acked_by,omitempty"`
	AckedAt   time.Time `json:"acked_at,omitzero"`
	LastValue float64   `json:"last_value"`
}

// Source returns the latest value of a metric per device.
type Source interface {
	Latest(ctx context.Context, metric string) (map[string]float64, error)
}

// Notifier pages the on-call operator.
type Notifier interface {
	Notify(ctx context.Context, r Rule, devices []string) error
}

type Engine struct {
	store    kvstore.Store
	rules    *repo.Repo[Rule]
	src      Source
	notify   Notifier
	pageSize int
	maxPages int
	log      *slog.Logger

	mu   sync.Mutex
	hits map[string]int
}

func NewEngine(store kvstore.Store, src Source, n Notifier, pageSize, maxPages int, log *slog.Logger) *Engine {
	return &Engine{
		store:    store,
		rules:    repo.New[Rule](store, keys.AlertRule),
		src:      src,
		notify:   n,
		pageSize: pageSize,
		maxPages: maxPages,
		log:      log,
		hits:     map[string]int{},
	}
}

// SaveRule stores a rule. Name and severity go into metadata so the console
// can list rules without fetching each one.
func (e *Engine) SaveRule(ctx context.Context, r Rule) error {
	return e.rules.Put(ctx, r.ID, r, kvstore.WithMetadata(map[string]any{"name": r.Name, "severity": r.Severity}))
}

// loadRules reads every rule definition.
func (e *Engine) loadRules(ctx context.Context) ([]Rule, error) {
	var out []Rule
	cursor := ""
	for {
		page, err := e.store.List(ctx, keys.AlertRule, cursor, e.pageSize) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, ent := range page.Entries {
			raw, err := e.store.Get(ctx, ent.Name) // EXPECT kvlist
			if err != nil {
				return nil, fmt.Errorf("alerts: rule %s: %w", ent.Name, err)
			}
			var r Rule
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Evaluate runs every rule once. It is called by the scheduler every minute.
func (e *Engine) Evaluate(ctx context.Context) error {
	rules, err := e.loadRules(ctx)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(rules))
	for _, r := range rules {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.evaluateOne(ctx, r); err != nil {
				errs <- fmt.Errorf("rule %s: %w", r.ID, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		e.log.Error("alert evaluation", "err", err)
	}
	return nil
}

func (e *Engine) evaluateOne(ctx context.Context, r Rule) error {
	values, err := e.src.Latest(ctx, r.Metric)
	if err != nil {
		return err
	}
	var breached []string
	var last float64
	for dev, v := range values {
		if r.breached(v) {
			breached = append(breached, dev)
			last = v
		}
	}
	if len(breached) == 0 {
		return e.store.Delete(ctx, keys.AlertState+r.ID)
	}
	st := State{Firing: true, Since: time.Now().UTC(), Devices: breached, LastValue: last}
	if err := codec.PutJSON(ctx, e.store, keys.AlertState+r.ID, st); err != nil {
		return err
	}

	e.mu.Lock()
	e.hits[r.ID]++
	n := e.hits[r.ID]
	e.mu.Unlock()
	if err := e.store.Put(ctx, "alert:hits:"+r.ID, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter
		return err
	}
	return e.notify.Notify(ctx, r, breached)
}

// Ack records that an operator has seen a firing alert.
func (e *Engine) Ack(ctx context.Context, ruleID, operator string) (err error) {
	key := keys.AlertState + ruleID
	st, found, err := codec.GetJSON[State](ctx, e.store, key)
	if err != nil {
		return err
	}
	if !found || !st.Firing {
		return fmt.Errorf("alerts: %s is not firing", ruleID)
	}
	defer func() {
		if err == nil {
			err = codec.PutJSON(ctx, e.store, key, st) // EXPECT kvrace
		}
	}()
	for _, op := range st.AckedBy {
		if op == operator {
			return nil
		}
	}
	st.AckedBy = append(st.AckedBy, operator)
	st.AckedAt = time.Now().UTC()
	return nil
}

// Sweep removes state records of rules that are not in known. It looks at a
// bounded number of pages per run and resumes from the returned cursor.
func (e *Engine) Sweep(ctx context.Context, cursor string, known map[string]bool) (next string, removed int, err error) {
	for range e.maxPages {
		page, err := e.store.List(ctx, keys.AlertState, cursor, e.pageSize)
		if err != nil {
			return cursor, removed, err
		}
		for _, ent := range page.Entries {
			id := strings.TrimPrefix(ent.Name, keys.AlertState)
			if !known[id] {
				if err := e.store.Delete(ctx, ent.Name); err != nil {
					return cursor, removed, err
				}
				removed++
			}
		}
		if page.Done() {
			return "", removed, nil
		}
		cursor = page.Cursor
	}
	return cursor, removed, nil
}
