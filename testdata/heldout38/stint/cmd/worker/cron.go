//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/clock"
	"github.com/harborclinic/stint/internal/edgekv"
	"github.com/harborclinic/stint/internal/reminders"
)

const publishDays = 7

// scheduled runs every ten minutes: it sends due reminders and refreshes the
// published availability of the coming week.
func scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	e, err := bind()
	if err != nil {
		return err
	}
	a := reminders.Start(e.remKV)
	defer a.Stop()
	send := func(ctx context.Context, rem booking.Reminder) error {
		return gateway{url: cloudflare.Getenv("SMS_GATEWAY_URL")}.Send(ctx, rem.Phone, reminderText(rem))
	}
	if err := reminders.Sweep(ctx, a, clock.System{}, send); err != nil {
		log.Printf("sweep: %v", err)
	}
	if ev.ScheduledTime.Minute() < 10 {
		return publish(ctx, e, ev.ScheduledTime)
	}
	return nil
}

func reminderText(rem booking.Reminder) string {
	return fmt.Sprintf("Reminder: you have an appointment tomorrow (ref %s). Reply C to cancel.", rem.AppointmentID[:6])
}

// publish refreshes the day digests and slots of every clinic, once an hour.
func publish(ctx context.Context, e *env, at time.Time) error {
	clinics := strings.Split(cloudflare.Getenv("CLINICS"), ",")
	var errs []error
clinics:
	for _, clinic := range clinics {
		clinic = strings.TrimSpace(clinic)
		if clinic == "" {
			continue
		}
		for i := range publishDays {
			day := at.AddDate(0, 0, i).Format("2006-01-02")
			digest, _, err := e.server.FetchDay(ctx, clinic, day)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", clinic, day, err))
				continue clinics
			}
			if err := edgekv.Save(ctx, e.avail, digest); err != nil {
				errs = append(errs, err)
				continue clinics
			}
			for _, sl := range digest.Slots {
				if err := edgekv.Save(ctx, e.avail, sl); err != nil {
					errs = append(errs, err)
					continue clinics
				}
				_ = e.avail.Put("publish:progress:"+clinic, sl.Key(), time.Hour) // EXPECT kvhotkey
			}
		}
		summary, _ := json.Marshal(map[string]any{"clinic": clinic, "days": publishDays, "at": at})
		_ = e.avail.Forever().JSON("publish:last:"+clinic, json.RawMessage(summary))
	}
	if err := e.avail.Put("availability:built-at", at.UTC().Format(time.RFC3339), 0); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
