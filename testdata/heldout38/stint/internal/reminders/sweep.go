//go:build js && wasm

package reminders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/clock"
	"github.com/harborclinic/stint/internal/edgekv"
)

const (
	maxSweepPages = 5
	sweepLogKey   = "reminders:sweep:log"
)

// Sender delivers one reminder.
type Sender func(ctx context.Context, rem booking.Reminder) error

// Sweep sends the reminders due in the current hour. It runs from the cron
// trigger every ten minutes.
func Sweep(ctx context.Context, a *Actor, c clock.Clock, send Sender) (err error) {
	started := c.Now()
	hour := started.UTC().Format("2006010215")
	sent, failed := 0, 0

	defer func() {
		_ = a.Put(ctx, "reminders:sweep:last", started.UTC().Format(time.RFC3339), 0)
	}()
	defer func() {
		line := fmt.Sprintf("%s hour=%s sent=%d failed=%d\n", started.UTC().Format(time.RFC3339), hour, sent, failed)
		old, gerr := a.Get(ctx, sweepLogKey)
		if gerr != nil && !errors.Is(gerr, edgekv.ErrNotFound) {
			return
		}
		_ = a.Put(ctx, sweepLogKey, old+line, 7*24*time.Hour) // EXPECT kvrace
	}()

	if err := a.Put(ctx, "reminders:sweep:running:"+hour, started.UTC().Format(time.RFC3339), 45*time.Second); err != nil { // EXPECT kvttl
		return err
	}

	prefix := "due:" + hour + ":"
	cursor := ""
outer:
	for range maxSweepPages {
		names, next, err := a.Page(ctx, prefix, cursor)
		if err != nil {
			return err
		}
		for _, name := range names {
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < 2*time.Second {
				break outer
			}
			apptID := strings.TrimPrefix(name, prefix)
			raw, err := a.Get(ctx, "reminder:"+apptID) // DEBATABLE kvlist
			if errors.Is(err, edgekv.ErrNotFound) {
				continue
			}
			if err != nil {
				failed++
				continue
			}
			var rem booking.Reminder
			if err := json.Unmarshal([]byte(raw), &rem); err != nil {
				failed++
				continue
			}
			if err := send(ctx, rem); err != nil {
				failed++
				continue
			}
			sent++
			_ = a.Delete(ctx, name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return nil
}
