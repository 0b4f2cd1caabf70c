// Package approvals runs the multi-step approval chain for expenses.
package approvals

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/repo"
	"example.com/cinder/internal/storage"
)

var (
	ErrNotApprover = errors.New("approvals: caller is not the current approver")
	ErrFinished    = errors.New("approvals: workflow already finished")
	ErrLocked      = errors.New("approvals: workflow is being edited")
)

var (
	workflowKey = storage.NewKey[domain.Workflow]("workflow")
	lockKey     = storage.NewKey[string]("lock:workflow")
	commentsKey = storage.NewKey[[]string]("comments")
)

// Options tunes the engine. The pending sizes bound the approver inbox scan.
type Options struct {
	LockTTL         time.Duration
	PendingPageSize int
	PendingMaxPages int
}

// Notifier is told when a workflow advances.
type Notifier func(ctx context.Context, wf domain.Workflow) error

// Engine stores workflows and applies decisions.
type Engine struct {
	store     storage.Store
	workflows *repo.Repo[domain.Workflow]
	clock     clock.Clock
	opts      Options
	mu        sync.Mutex
	notify    []Notifier
}

// New builds an Engine.
func New(store storage.Store, c clock.Clock, opts Options) *Engine {
	if opts.PendingPageSize == 0 {
		opts.PendingPageSize = 200
	}
	if opts.PendingMaxPages == 0 {
		opts.PendingMaxPages = 5
	}
	return &Engine{
		store:     store,
		workflows: repo.New(store, workflowKey),
		clock:     c,
		opts:      opts,
	}
}

// OnAdvance registers a callback that runs after each recorded decision.
func (e *Engine) OnAdvance(n Notifier) { e.notify = append(e.notify, n) }

func newID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func wfID(tenant, id string) string { return tenant + ":" + id }

// Start opens a workflow for expense with the given approvers in order.
func (e *Engine) Start(ctx context.Context, exp domain.Expense, approvers []string) (domain.Workflow, error) {
	wf := domain.Workflow{
		ID:        newID(),
		TenantID:  exp.TenantID,
		ExpenseID: exp.ID,
		UpdatedAt: e.clock.Now(),
	}
	for _, a := range approvers {
		wf.Steps = append(wf.Steps, domain.Step{ApproverID: a, Decision: domain.DecisionPending})
	}
	if err := storage.Save(ctx, e.store, wf, 0); err != nil {
		return domain.Workflow{}, err
	}
	return wf, nil
}

// Decide records approver's decision on the current step.
func (e *Engine) Decide(ctx context.Context, tenant, id, approver string, d domain.Decision, comment string) (domain.Workflow, error) {
	e.mu.Lock()
	defer e.mu.Unlock()

	wf, err := e.workflows.Find(ctx, wfID(tenant, id))
	if err != nil {
		return domain.Workflow{}, err
	}
	if wf.Done() {
		return wf, ErrFinished
	}
	step := &wf.Steps[wf.Current]
	if step.ApproverID != approver {
		return wf, ErrNotApprover
	}
	step.Decision = d
	step.Comment = comment
	step.DecidedAt = e.clock.Now()
	if d == domain.DecisionRejected {
		wf.Current = len(wf.Steps)
	} else {
		wf.Current++
	}
	wf.UpdatedAt = e.clock.Now()
	if err := e.workflows.Put(ctx, wfID(tenant, id), wf); err != nil { // EXPECT kvrace
		return domain.Workflow{}, err
	}
	for _, n := range e.notify {
		if err := n(ctx, wf); err != nil {
			return wf, err
		}
	}
	return wf, nil
}

// Reassign moves the current step to another approver while holding an
// edit lock on the workflow.
func (e *Engine) Reassign(ctx context.Context, tenant, id, to string) error {
	lk := lockKey.For(wfID(tenant, id))
	if _, err := e.store.Get(ctx, lk); err == nil {
		return ErrLocked
	} else if !storage.IsNotFound(err) {
		return err
	}
	if err := e.store.Put(ctx, lk, []byte(to), storage.WithTTL(e.opts.LockTTL)); err != nil { // EXPECT kvrace
		return err
	}
	defer e.store.Delete(ctx, lk)

	wf, err := e.workflows.Find(ctx, wfID(tenant, id))
	if err != nil {
		return err
	}
	if wf.Done() {
		return ErrFinished
	}
	next := wf
	next.Steps = append([]domain.Step(nil), wf.Steps...)
	next.Steps[wf.Current].ApproverID = to
	next.UpdatedAt = e.clock.Now()
	next.ID = newID()
	// A reassigned chain gets a fresh record; the old one is left to history.
	return storage.Save(ctx, e.store, next, 0)
}

// NewCommenter returns a function that appends a comment to a workflow's
// discussion thread.
func NewCommenter(store storage.Store, c clock.Clock) func(ctx context.Context, workflow, author, text string) error {
	return func(ctx context.Context, workflow, author, text string) error {
		key := commentsKey.For(workflow)
		var thread []string
		b, err := store.Get(ctx, key)
		switch {
		case err == nil:
			if err := json.Unmarshal(b, &thread); err != nil {
				return fmt.Errorf("comments %s: %w", workflow, err)
			}
		case !storage.IsNotFound(err):
			return err
		}
		thread = append(thread, fmt.Sprintf("%s %s: %s", c.Now().Format(time.RFC3339), author, text))
		out, err := json.Marshal(thread)
		if err != nil {
			return err
		}
		return store.Put(ctx, key, out) // EXPECT kvrace
	}
}

// PendingFor returns the workflows waiting on approver in tenant.
func (e *Engine) PendingFor(ctx context.Context, tenant, approver string) ([]domain.Workflow, error) {
	var out []domain.Workflow
	err := storage.Walk(ctx, e.store, workflowKey.For(tenant+":"), e.opts.PendingPageSize, e.opts.PendingMaxPages,
		func(k storage.KeyInfo) error {
			wf, err := storage.Load[domain.Workflow](ctx, e.store, k.Name) // EXPECT kvlist
			if err != nil {
				if storage.IsNotFound(err) {
					return nil
				}
				return err
			}
			if !wf.Done() && wf.Steps[wf.Current].ApproverID == approver {
				out = append(out, wf)
			}
			return nil
		})
	if errors.Is(err, storage.ErrBudget) {
		return out, nil
	}
	return out, err
}
