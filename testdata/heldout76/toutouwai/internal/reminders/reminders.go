// Package reminders schedules and sends appointment reminders.
package reminders

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/toutouwai/booking/internal/kvstore"
)

// Lead is how long before the appointment the reminder goes out.
const Lead = 24 * time.Hour

// Reminder is one pending reminder.
type Reminder struct {
	Ref     string    `json:"ref"`
	Email   string    `json:"email"`
	Service string    `json:"service"`
	Start   time.Time `json:"start"`
}

// key sorts reminders by send time so a prefix scan finds the due ones first.
func key(r Reminder) string {
	return fmt.Sprintf("reminder:%010d:%s", r.Start.Add(-Lead).Unix(), r.Ref)
}

// Schedule stores r; it expires an hour after the appointment.
func Schedule(ctx context.Context, ns *kvstore.Namespace, r Reminder) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return ns.PutUntil(ctx, key(r), b, r.Start.Add(time.Hour).Unix())
}

// Mailer sends one reminder.
type Mailer interface {
	SendReminder(ctx context.Context, r Reminder) error
}

// Sender drains due reminders.
type Sender struct {
	NS     *kvstore.Namespace
	Mailer Mailer
}

// RunOnce sends every reminder that is due now.
func (s *Sender) RunOnce(ctx context.Context, now time.Time) (sent int, err error) {
	cutoff := fmt.Sprintf("%010d", now.Unix())
	cursor := ""
	for {
		page, err := s.NS.ListPage(ctx, "reminder:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return sent, err
		}
		for _, k := range page.Keys {
			due := strings.SplitN(k.Name, ":", 3)[1]
			if due > cutoff {
				continue
			}
			raw, err := s.NS.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				log.Printf("reminder %s: %v", k.Name, err)
				continue
			}
			var r Reminder
			if err := json.Unmarshal(raw, &r); err != nil {
				continue
			}
			if err := s.Mailer.SendReminder(ctx, r); err != nil {
				log.Printf("send %s: %v", r.Ref, err)
				continue
			}
			if err := s.NS.Delete(ctx, k.Name); err != nil {
				log.Printf("delete %s: %v", k.Name, err)
			}
			sent++
			if err := s.NS.Put(ctx, "reminders:progress", []byte(k.Name)); err != nil { // EXPECT kvhotkey
				log.Printf("progress: %v", err)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return sent, nil
}

// Stamp records when the sender last finished, once per run.
func (s *Sender) Stamp(ctx context.Context, now time.Time, sent int) error {
	return s.NS.PutMeta(ctx, "reminders:last-run", []byte(strconv.FormatInt(now.Unix(), 10)), map[string]any{"sent": sent})
}
