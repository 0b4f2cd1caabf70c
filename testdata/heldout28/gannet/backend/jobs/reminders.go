// Package jobs holds the back office's background jobs: visit reminders,
// the EHR appointment sync and the nightly export.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/storage"
	"example.com/gannet/internal/ttl"
)

var timeNow = time.Now

// Touch records a liveness timestamp under key.
func Touch(ctx context.Context, kv interface {
	Put(context.Context, string, []byte, storage.PutOptions) error
}, key string, at time.Time) error {
	return kv.Put(ctx, key, []byte(at.UTC().Format(time.RFC3339)), storage.PutOptions{TTL: time.Hour})
}

// Sender delivers one reminder.
type Sender func(ctx context.Context, appt domain.Appointment) error

// Reminders sends reminders for tomorrow's visits.
type Reminders struct {
	Appts       storage.KV
	State       storage.KV
	Send        Sender
	Concurrency int
	MaxPages    int
	Log         *slog.Logger
}

const heartbeatKey = "jobs:reminders:heartbeat"

// Run sends the reminders of the day after now and returns per-visit errors.
func (j *Reminders) Run(ctx context.Context) (map[string]error, error) {
	now := timeNow()
	day := now.UTC().Add(24 * time.Hour)

	var appts []domain.Appointment
	_, err := storage.Scan(ctx, j.Appts, keys.AppointmentDay(day), j.maxPages(), func(k storage.ListedKey) error {
		// The day index carries the appointment in its metadata.
		raw, ok := k.Metadata["a"]
		if !ok {
			return nil
		}
		var a domain.Appointment
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return fmt.Errorf("jobs: bad index entry %s: %w", k.Name, err)
		}
		appts = append(appts, a)
		return nil
	})
	if err != nil {
		return nil, err
	}

	sem := make(chan struct{}, max(j.Concurrency, 1))
	var (
		mu      sync.Mutex
		results = make(map[string]error, len(appts))
		wg      sync.WaitGroup
	)
loop:
	for _, a := range appts {
		select {
		case <-ctx.Done():
			break loop
		case sem <- struct{}{}:
		}
		wg.Add(1)
		go func(a domain.Appointment) {
			defer wg.Done()
			defer func() { <-sem }()
			err := j.remind(ctx, a)
			if herr := Touch(ctx, j.State, heartbeatKey, timeNow()); herr != nil { // EXPECT kvhotkey
				j.Log.Warn("heartbeat", "err", herr)
			}
			mu.Lock()
			results[a.ID] = err
			mu.Unlock()
		}(a)
	}
	wg.Wait()

	sent := 0
	for _, err := range results {
		if err == nil {
			sent++
		}
	}
	if err := j.addSent(ctx, day, sent); err != nil {
		return results, err
	}
	last := []byte(now.UTC().Format(time.RFC3339))
	return results, j.State.Put(ctx, "jobs:reminders:last-run", last, storage.PutOptions{})
}

func (j *Reminders) maxPages() int {
	if j.MaxPages <= 0 {
		return 20
	}
	return j.MaxPages
}

// remind sends one reminder unless it was already sent.
func (j *Reminders) remind(ctx context.Context, a domain.Appointment) error {
	key := "reminded:" + a.ID
	if _, ok, err := j.State.Get(ctx, key); err != nil {
		return err
	} else if ok {
		return nil
	}
	if err := j.Send(ctx, a); err != nil {
		return err
	}
	return j.State.Put(ctx, key, []byte("1"), storage.PutOptions{ExpiresAt: a.EndsAt.Add(48 * time.Hour)}) // DEBATABLE kvrace
}

// addSent adds n to the day's sent-reminders count shown on the dashboard.
func (j *Reminders) addSent(ctx context.Context, day time.Time, n int) error {
	key := "stats:reminders-sent:" + day.Format("20060102")
	total := 0
	if b, ok, err := j.State.Get(ctx, key); err != nil {
		return err
	} else if ok {
		total, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	return j.State.Put(ctx, key, []byte(strconv.Itoa(total+n)), storage.PutOptions{TTL: ttl.Days(35).Duration()}) // EXPECT kvcounter
}
