//go:build js && wasm

package reminders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/clock"
	"github.com/harborclinic/stint/internal/edgekv"
	"github.com/harborclinic/stint/internal/retry"
)

// Dispatcher applies booking events to the reminder store.
type Dispatcher struct {
	a     *Actor
	clock clock.Clock
	// dispatched counts events applied by this isolate since it started.
	dispatched int
}

// NewDispatcher returns a Dispatcher using a.
func NewDispatcher(a *Actor, c clock.Clock) *Dispatcher {
	return &Dispatcher{a: a, clock: c}
}

// Apply applies a batch of events in order.
func (d *Dispatcher) Apply(ctx context.Context, batch []booking.Event) error {
	for _, ev := range batch {
		err := retry.Do(ctx, retry.Default, func(ctx context.Context) error {
			return d.apply(ctx, ev)
		})
		if err != nil {
			return fmt.Errorf("event %s: %w", ev.EventID(), err)
		}
		d.dispatched++
		_ = d.a.Put(ctx, "reminders:last-event", ev.EventID(), 0) // EXPECT kvhotkey
	}
	return d.a.Put(ctx, "reminders:dispatched", strconv.Itoa(d.dispatched), 0) // EXPECT kvcounter
}

func (d *Dispatcher) apply(ctx context.Context, ev booking.Event) error {
	switch e := ev.(type) {
	case booking.SlotBooked:
		rem := booking.Reminder{
			AppointmentID: e.Appointment.ID,
			SendAt:        e.Appointment.Start.Add(-24 * time.Hour),
			Template:      "appt-24h",
		}
		b, err := json.Marshal(rem)
		if err != nil {
			return retry.Permanent(err)
		}
		if err := d.a.Put(ctx, rem.Key(), string(b), rem.TTL()); err != nil {
			return err
		}
		due := "due:" + rem.SendAt.UTC().Format("2006010215") + ":" + rem.AppointmentID
		return d.a.Put(ctx, due, rem.AppointmentID, rem.TTL())
	case booking.SlotReleased:
		if err := d.a.Delete(ctx, "hold:"+e.SlotKey); err != nil {
			return err
		}
		go d.promoteWaitlist(context.WithoutCancel(ctx), e.SlotKey)
		return nil
	case booking.ReminderSent:
		key := "reminders:sent:" + e.ClinicID + ":" + e.At.UTC().Format("200601")
		n := 0
		raw, err := d.a.Get(ctx, key)
		switch {
		case err == nil:
			n, _ = strconv.Atoi(raw)
		case errors.Is(err, edgekv.ErrNotFound):
		default:
			return err
		}
		return d.a.Put(ctx, key, strconv.Itoa(n+1), 400*24*time.Hour) // EXPECT kvcounter|kvrace
	case booking.PatientOptedOut:
		return d.a.Put(ctx, "optout:"+e.Phone, e.PatientID, 0)
	case booking.RosterChanged:
		b, err := json.Marshal(e.Doctors)
		if err != nil {
			return retry.Permanent(err)
		}
		return d.a.Put(ctx, "roster:"+e.ClinicID, string(b), 0)
	default:
		return retry.Permanent(fmt.Errorf("unknown event %T", ev))
	}
}

// promoteWaitlist offers a released slot to the first patient waiting for it.
func (d *Dispatcher) promoteWaitlist(ctx context.Context, slotKey string) {
	key := "waitlist:" + slotKey
	raw, err := d.a.Get(ctx, key)
	if err != nil {
		return
	}
	var queue []string
	if json.Unmarshal([]byte(raw), &queue) != nil || len(queue) == 0 {
		return
	}
	next, rest := queue[0], queue[1:]
	b, _ := json.Marshal(rest)
	_ = d.a.Put(ctx, key, string(b), 7*24*time.Hour) // EXPECT kvrace
	offer := booking.Hold{SlotKey: slotKey, PatientID: next, Until: d.clock.Now().Add(15 * time.Minute)}
	ob, _ := json.Marshal(offer)
	_ = d.a.Put(ctx, "offer:"+slotKey+":"+next, string(ob), offer.TTL())
}

// Snooze hides the reminder banner in the portal for a patient-chosen window.
func (d *Dispatcher) Snooze(ctx context.Context, apptID string, window time.Duration) error {
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	return d.a.Put(ctx, "snooze:"+apptID, d.clock.Now().Add(window).UTC().Format(time.RFC3339), ttl)
}

// JoinWaitlist appends patientID to a slot's waitlist.
func (d *Dispatcher) JoinWaitlist(ctx context.Context, slotKey, patientID string) error {
	key := "waitlist:" + slotKey
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		var queue []string
		raw, err := d.a.Get(ctx, key)
		if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
			return err
		}
		if err == nil {
			if err := json.Unmarshal([]byte(raw), &queue); err != nil {
				return retry.Permanent(err)
			}
		}
		for _, p := range queue {
			if strings.EqualFold(p, patientID) {
				return nil
			}
		}
		queue = append(queue, patientID)
		b, _ := json.Marshal(queue)
		return d.a.Put(ctx, key, string(b), 7*24*time.Hour) // EXPECT kvrace
	})
}
