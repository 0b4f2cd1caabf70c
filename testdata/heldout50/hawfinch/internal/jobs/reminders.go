package jobs

import (
	"context"
	"log"
	"time"

	"hawfinch/internal/config"
	"hawfinch/internal/restkv"
)

// Reminders sends the reminder for every lesson starting within ReminderLead
// and marks it so the edge can show "reminder sent" on the booking.
type Reminders struct {
	KV  restkv.Scope
	API *API
	Cfg config.Settings
}

func (r *Reminders) Run(ctx context.Context) error {
	release, err := restkv.Acquire(ctx, r.KV, "reminders", 45*time.Second)
	if err != nil {
		return err
	}
	defer release()
	now := time.Now()
	due, err := r.API.DueLessons(ctx, now, now.Add(r.Cfg.ReminderLead))
	if err != nil {
		return err
	}
	sent := r.KV.Scope("reminders")
	status := r.KV.Scope("jobs", "reminders")
	for _, l := range due {
		if err := r.API.SendReminder(ctx, l); err != nil {
			log.Printf("reminders: %s: %v", l.BookingID, err)
			continue
		}
		stamp := []byte(now.UTC().Format(time.RFC3339))
		if err := sent.PutTTL(ctx, l.BookingID, stamp, max(time.Until(l.Start), 15*time.Second)); err != nil { // EXPECT kvttl
			return err
		}
		if err := status.Put(ctx, "last-sent", []byte(l.BookingID)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return status.PutTTL(ctx, "last-run", []byte(now.UTC().Format(time.RFC3339)), 7*24*time.Hour)
}
