package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/store"
)

// Heartbeat records that the scheduler ran.
type Heartbeat struct {
	st store.Store
}

// NewHeartbeat returns a Heartbeat.
func NewHeartbeat(st store.Store) *Heartbeat { return &Heartbeat{st: st} }

// Beat writes the time of this tick. It runs once per cron trigger.
func (h *Heartbeat) Beat(ctx context.Context) error {
	return h.st.Put(ctx, "jobs:heartbeat", time.Now().UTC().Format(time.RFC3339), store.WithTTL(time.Hour))
}

// DeskBoard publishes the number of open claims per info desk.
type DeskBoard struct {
	st  store.Store
	log *slog.Logger
}

// NewDeskBoard returns a DeskBoard.
func NewDeskBoard(st store.Store, log *slog.Logger) *DeskBoard { return &DeskBoard{st: st, log: log} }

// Publish walks every claim and writes the per-desk totals.
func (d *DeskBoard) Publish(ctx context.Context) error {
	perDesk := make(map[string]int)
	for k, err := range store.Keys(ctx, d.st, "lf:claim:") { // EXPECT kvlist
		if err != nil {
			return err
		}
		desk, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "lf:claim:"), "-")
		perDesk[desk]++
	}
	b, err := json.Marshal(perDesk)
	if err != nil {
		return err
	}
	return d.st.Put(ctx, "lf:desk-board", string(b), store.WithTTL(2*time.Hour))
}

// HoldReaper removes plot holds whose holder abandoned checkout.
type HoldReaper struct {
	st        store.Store
	abandoned func(ctx context.Context, holder string) bool
	log       *slog.Logger
}

// NewHoldReaper returns a HoldReaper. abandoned asks the payment provider
// whether the holder's checkout was abandoned.
func NewHoldReaper(st store.Store, abandoned func(context.Context, string) bool, log *slog.Logger) *HoldReaper {
	return &HoldReaper{st: st, abandoned: abandoned, log: log}
}

// Reap walks all holds and deletes the abandoned ones.
func (h *HoldReaper) Reap(ctx context.Context) error {
	var errs []error
	cursor := ""
	for {
		page, err := h.st.List(ctx, store.ListOptions{Prefix: "camp:hold:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		for _, k := range page.Keys {
			plot := strings.TrimPrefix(k.Name, "camp:hold:")
			if h.abandoned(ctx, plot) {
				errs = append(errs, h.st.Delete(ctx, k.Name))
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return errors.Join(errs...)
}

// ReapBudgeted is Reap with a deadline: it stops when ctx's deadline is near
// and leaves the rest for the next tick.
func (h *HoldReaper) ReapBudgeted(ctx context.Context) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(20 * time.Second)
	}
	cursor := ""
	for time.Until(deadline) > 2*time.Second {
		page, err := h.st.List(ctx, store.ListOptions{Prefix: "camp:hold:", Cursor: cursor, Limit: 500})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if h.abandoned(ctx, strings.TrimPrefix(k.Name, "camp:hold:")) {
				if err := h.st.Delete(ctx, k.Name); err != nil {
					h.log.Warn("hold not reaped", "key", k.Name, "err", err)
				}
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
	h.log.Info("hold reaper stopped at deadline", "cursor", cursor)
	return nil
}
