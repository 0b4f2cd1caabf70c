// Package campaigns schedules newsletters and press releases and sends the
// due ones from the cron trigger.
package campaigns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/repo"
	"example.com/pressroom/internal/store"
)

var (
	ErrInPast        = errors.New("campaigns: send time is in the past")
	ErrQuotaExceeded = errors.New("campaigns: monthly send quota exceeded")
)

// monthlyAllowance is the number of emails a tenant may send per month.
const monthlyAllowance = 50_000

// Campaign is one newsletter issue or press release.
type Campaign struct {
	ID      string    `json:"id"`
	Tenant  string    `json:"tenant"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	SendAt  time.Time `json:"send_at"`
	Status  string    `json:"status"`
}

func (c Campaign) Key() string { return c.ID }

// Audience resolves recipients; it is backed by the subscriber database.
type Audience interface {
	Recipients(ctx context.Context, tenant string) ([]string, error)
}

// Mailer hands a batch to the email provider.
type Mailer interface {
	Send(ctx context.Context, c Campaign, to []string) error
}

// Scheduler owns campaign scheduling and sending.
type Scheduler struct {
	st        store.Store
	campaigns *repo.Repo[Campaign]
	audience  Audience
	mail      Mailer
	cfg       config.Sender
	now       func() time.Time
	log       *slog.Logger
}

// NewScheduler wires a Scheduler.
func NewScheduler(st store.Store, a Audience, m Mailer, cfg config.Sender, log *slog.Logger) *Scheduler {
	return &Scheduler{
		st:        st,
		campaigns: repo.New[Campaign](st, keys.Campaign),
		audience:  a,
		mail:      m,
		cfg:       cfg,
		now:       time.Now,
		log:       log,
	}
}

func scheduleKey(at time.Time, id string) string {
	return keys.New("scheduled").With(at.UTC().Format("20060102T1504"), id).String()
}

// Schedule stores c and queues it for sending at c.SendAt.
func (s *Scheduler) Schedule(ctx context.Context, c Campaign) error {
	if !c.SendAt.After(s.now()) {
		return ErrInPast
	}
	c.Status = "scheduled"
	if err := s.campaigns.Save(ctx, c); err != nil {
		return fmt.Errorf("schedule %s: %w", c.ID, err)
	}
	if err := s.st.Put(ctx, scheduleKey(c.SendAt, c.ID), c.Tenant); err != nil {
		return fmt.Errorf("schedule %s: %w", c.ID, err)
	}
	// Editors can change the campaign until it goes out.
	return s.st.Put(ctx, "editable:"+c.ID, c.Tenant, store.WithTTL(time.Until(c.SendAt))) // EXPECT kvttl
}

// Campaigns returns one page of campaigns for the dashboard.
func (s *Scheduler) Campaigns(ctx context.Context, cursor string) ([]string, string, error) {
	return s.campaigns.Page(ctx, cursor, 900)
}

type due struct {
	indexKey string
	id       string
}

// RunDue sends every campaign whose time has come. Called from the cron trigger.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) error {
	cutoff := scheduleKey(now, "~")
	var ready []due
	cursor := ""
	for {
		page, err := s.st.List(ctx, keys.Scheduled, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("list scheduled: %w", err)
		}
		for _, k := range page.Keys {
			if k > cutoff {
				continue
			}
			ready = append(ready, due{indexKey: k, id: k[strings.LastIndexByte(k, ':')+1:]})
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return s.dispatch(ctx, ready)
}

func (s *Scheduler) dispatch(ctx context.Context, ready []due) error {
	jobs := make(chan due)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for w := 0; w < max(1, s.cfg.Workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range jobs {
				if err := s.sendOne(ctx, d); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("campaign %s: %w", d.id, err))
					mu.Unlock()
				}
			}
		}()
	}
	for _, d := range ready {
		jobs <- d
	}
	close(jobs)
	wg.Wait()
	return errors.Join(errs...)
}

type run struct {
	due
	c  Campaign
	to []string
}

// sendSteps run in order for each due campaign.
var sendSteps = []func(*Scheduler, context.Context, *run) error{
	(*Scheduler).reserveQuota,
	(*Scheduler).deliver,
	(*Scheduler).finish,
}

func (s *Scheduler) sendOne(ctx context.Context, d due) error {
	c, err := s.campaigns.Get(ctx, d.id)
	if errors.Is(err, store.ErrNotFound) {
		s.log.WarnContext(ctx, "scheduled campaign vanished", "id", d.id)
		return s.st.Delete(ctx, d.indexKey)
	}
	if err != nil {
		return err
	}
	to, err := s.audience.Recipients(ctx, c.Tenant)
	if err != nil {
		return err
	}
	r := &run{due: d, c: c, to: to}
	for _, step := range sendSteps {
		if err := step(s, ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scheduler) reserveQuota(ctx context.Context, r *run) error {
	key := keys.Tenant(r.c.Tenant).Quota(s.now().Format("200601"))
	raw, ok, err := s.st.Get(ctx, key)
	if err != nil {
		return err
	}
	used := 0
	if ok {
		if used, err = strconv.Atoi(raw); err != nil {
			return fmt.Errorf("quota %s: %w", key, err)
		}
	}
	if used+len(r.to) > monthlyAllowance {
		return ErrQuotaExceeded
	}
	return s.st.Put(ctx, key, strconv.Itoa(used+len(r.to)), store.WithTTL(40*24*time.Hour)) // EXPECT kvcounter
}

func (s *Scheduler) deliver(ctx context.Context, r *run) error {
	size := max(1, s.cfg.BatchSize)
	for start := 0; start < len(r.to); start += size {
		end := min(start+size, len(r.to))
		if err := s.mail.Send(ctx, r.c, r.to[start:end]); err != nil {
			return fmt.Errorf("batch at %d: %w", start, err)
		}
		// Record how far we got so support can see where a failed send stopped.
		if err := s.st.Put(ctx, "checkpoint:"+r.c.ID, r.to[end-1]); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (s *Scheduler) finish(ctx context.Context, r *run) error {
	if err := s.st.Put(ctx, "sent:"+r.c.ID, strconv.Itoa(len(r.to)), store.WithTTL(90*24*time.Hour)); err != nil {
		return err
	}
	return s.st.Delete(ctx, r.indexKey)
}
