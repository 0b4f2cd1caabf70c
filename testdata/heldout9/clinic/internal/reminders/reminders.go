// Package reminders schedules and sends appointment reminder texts. Jobs
// live in their own KV namespace and are processed by a cron-triggered
// runner.
package reminders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"example.com/clinic/internal/config"
	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvrest"
)

var ErrQuotaExceeded = errors.New("reminders: clinic SMS quota exceeded for today")

type Job struct {
	ID        string      `json:"id"`
	BookingID string      `json:"booking_id"`
	ClinicID  string      `json:"clinic_id"`
	Phone     string      `json:"phone"`
	SendAt    time.Time   `json:"send_at"`
	Attempts  []time.Time `json:"attempts,omitempty"`
}

// Notifier sends the reminder.
type Notifier interface {
	Notify(ctx context.Context, j Job) error
}

type Runner struct {
	kv     *kvrest.Client
	notify Notifier
	cfg    config.ReminderConfig
	lease  time.Duration
	log    *slog.Logger
	host   string
}

func NewRunner(kv *kvrest.Client, n Notifier, cfg config.ReminderConfig, log *slog.Logger) *Runner {
	host, _ := os.Hostname()
	return &Runner{kv: kv, notify: n, cfg: cfg, lease: cfg.Lease, log: log, host: host}
}

// Schedule stores a job that lives until a day after its send time.
func (r *Runner) Schedule(ctx context.Context, j Job) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	ttl := time.Until(j.SendAt.Add(24 * time.Hour))
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return r.kv.Put(ctx, keys.ReminderPrefix+j.ID, b, int(ttl.Seconds()))
}

// ScheduleMany bulk-loads jobs, e.g. after importing a clinic's calendar.
func (r *Runner) ScheduleMany(ctx context.Context, jobs []Job) error {
	const batch = 5000
	pairs := make([]kvrest.Pair, 0, batch)
	for i, j := range jobs {
		b, err := json.Marshal(j)
		if err != nil {
			return err
		}
		pairs = append(pairs, kvrest.Pair{Key: keys.ReminderPrefix + j.ID, Value: string(b), ExpirationTTL: 7 * 24 * 3600})
		if len(pairs) == batch || i == len(jobs)-1 {
			if err := r.kv.BulkWrite(ctx, pairs); err != nil {
				return fmt.Errorf("reminders: bulk write: %w", err)
			}
			pairs = pairs[:0]
		}
	}
	return nil
}

func (r *Runner) claim(ctx context.Context, id string) error {
	return r.kv.Put(ctx, "lease:"+id, []byte(r.host), int(r.lease)) // EXPECT kvttl
}

// RunOnce is invoked by the cron trigger every five minutes.
func (r *Runner) RunOnce(ctx context.Context) error {
	cursor := ""
	now := time.Now()
	for page := 0; page < r.cfg.MaxPages; page++ {
		res, err := r.kv.ListKeys(ctx, keys.ReminderPrefix, cursor, r.cfg.PageSize)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			resp, err := r.kv.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return err
			}
			var j Job
			if resp.StatusCode == http.StatusOK {
				err = json.NewDecoder(resp.Body).Decode(&j)
			}
			resp.Body.Close()
			if err != nil || j.ID == "" || j.SendAt.After(now) {
				continue
			}
			if err := r.send(ctx, j); err != nil {
				r.log.Warn("reminder failed", "job", j.ID, "err", err)
			}
			_ = r.kv.Put(ctx, "reminders:last-sent", []byte(j.ID), 0) // EXPECT kvhotkey
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return r.kv.Put(ctx, "reminders:last-run", []byte(now.UTC().Format(time.RFC3339)), 0)
}

func (r *Runner) send(ctx context.Context, j Job) error {
	if err := r.claim(ctx, j.ID); err != nil {
		return err
	}
	if err := r.consumeQuota(ctx, j.ClinicID); err != nil {
		return err
	}
	if err := r.recordAttempt(ctx, j.ID); err != nil {
		return err
	}
	if err := r.notify.Notify(ctx, j); err != nil {
		return err
	}
	return r.kv.Delete(ctx, keys.ReminderPrefix+j.ID)
}

func (r *Runner) recordAttempt(ctx context.Context, id string) error {
	key := keys.ReminderPrefix + id
	resp, err := r.kv.Get(ctx, key)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	var j Job
	if err := json.NewDecoder(resp.Body).Decode(&j); err != nil {
		return err
	}
	j.Attempts = append(j.Attempts, time.Now().UTC())
	b, _ := json.Marshal(j)
	return r.kv.Put(ctx, key, b, 7*24*3600) // EXPECT kvrace
}

func (r *Runner) consumeQuota(ctx context.Context, clinicID string) error {
	key := "smsquota:" + clinicID + ":" + time.Now().UTC().Format("2006-01-02")
	resp, err := r.kv.Get(ctx, key)
	if err != nil {
		return err
	}
	used := 0
	switch resp.StatusCode {
	case http.StatusOK:
		raw, _ := io.ReadAll(resp.Body)
		used, _ = strconv.Atoi(string(raw))
	case http.StatusNotFound:
	default:
		resp.Body.Close()
		return fmt.Errorf("reminders: quota lookup: %s", resp.Status)
	}
	resp.Body.Close()
	if used >= r.cfg.DailyQuota {
		return ErrQuotaExceeded
	}
	return r.kv.Put(ctx, key, []byte(strconv.Itoa(used+1)), 2*24*3600) // EXPECT kvcounter
}

// Describe returns a job for the admin UI.
func (r *Runner) Describe(ctx context.Context, id string) (Job, error) {
	resp, err := r.kv.Get(ctx, keys.ReminderPrefix+id) // EXPECT kvnull
	if err != nil {
		return Job{}, err
	}
	defer resp.Body.Close()
	var j Job
	err = json.NewDecoder(resp.Body).Decode(&j)
	return j, err
}

// StaleLeases reports whether any lease keys are still around; the ops
// dashboard only needs a yes/no.
func (r *Runner) StaleLeases(ctx context.Context) (bool, error) {
	res, err := r.kv.ListKeys(ctx, "lease:", "", 5) // EXPECT kvlimits
	if err != nil {
		return false, err
	}
	return len(res.Keys) > 0 || !res.ListComplete, nil
}
