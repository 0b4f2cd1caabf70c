// Package dunning advances overdue invoices through the reminder schedule.
// It runs once a day per shard as a scheduled job.
package dunning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"golang.org/x/sync/errgroup"

	"github.com/ledgerline/nightjar/internal/keys"
	"github.com/ledgerline/nightjar/internal/kvx"
	"github.com/ledgerline/nightjar/internal/lock"
	"github.com/ledgerline/nightjar/internal/retry"
)

var (
	root         = keys.Key("dunning")
	stateRoot    = root.Child("state")
	tenantIndex  = root.Child("tenant")
	attemptsRoot = root.Child("attempts")
	runsRoot     = root.Child("runs")
	greylist     = root.Child("greylist")
	progressKey  = root.Child("progress")
	sentRoot     = root.Child("count", "sent")
	totalsRoot   = root.Child("stats", "reminders-sent-total")
	lockKey      = root.Child("lock")
)

const maxAttempts = 6

// Stages of the reminder schedule.
const (
	StageNew         = "new"
	StageReminder1   = "reminder-1"
	StageReminder2   = "reminder-2"
	StageFinalNotice = "final-notice"
	StageCollections = "collections"
)

func nextStage(cur string) (string, time.Duration) {
	switch cur {
	case StageNew:
		return StageReminder1, 7 * 24 * time.Hour
	case StageReminder1:
		return StageReminder2, 7 * 24 * time.Hour
	case StageReminder2:
		return StageFinalNotice, 14 * 24 * time.Hour
	case StageFinalNotice:
		return StageCollections, 0
	}
	return "", 0
}

// ErrGreylisted is returned by a Mailer when the receiving server asked
// us to retry shortly.
var ErrGreylisted = errors.New("dunning: greylisted")

// Mailer sends reminder emails.
type Mailer interface {
	SendReminder(ctx context.Context, ref keys.InvoiceRef, stage string) error
	SendDigest(ctx context.Context, tenant string, body []byte) error
}

// Config configures a Runner.
type Config struct {
	Owner       string
	Shard       int
	Concurrency int
	LeaseFor    time.Duration
}

// Step is one entry in an invoice's dunning history; State is the dunning
// progress of one invoice.
type Step struct {
	Stage  string    `json:"stage"`
	At     time.Time `json:"at"`
	Result string    `json:"result"`
}

type State struct {
	Tenant    string    `json:"tenant"`
	InvoiceID string    `json:"invoice_id"`
	Stage     string    `json:"stage"`
	NextAt    time.Time `json:"next_at"`
	History   []Step    `json:"history"`
}

// Summary is stored per day and shard after a run.
type Summary struct {
	Day   string `json:"day"`
	Due   int    `json:"due"`
	Sent  int64  `json:"sent"`
	Total int64  `json:"total"`
}

// Runner executes dunning runs.
type Runner struct {
	kv   *kvx.Client
	mail Mailer
	cfg  Config
	log  *slog.Logger
}

func NewRunner(c *kvx.Client, mail Mailer, cfg Config, log *slog.Logger) *Runner {
	return &Runner{kv: c, mail: mail, cfg: cfg, log: log}
}

// Run advances every invoice whose next step is due, plus the newly
// overdue invoices passed in from the billing database.
func (r *Runner) Run(ctx context.Context, newlyOverdue []keys.InvoiceRef) (*Summary, error) {
	lk, err := lock.Acquire(ctx, r.kv, lockKey.String(), r.cfg.Owner, r.cfg.LeaseFor)
	if errors.Is(err, lock.ErrHeld) {
		r.log.InfoContext(ctx, "another runner holds the lock", "err", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := lk.Release(context.WithoutCancel(ctx)); err != nil {
			r.log.WarnContext(ctx, "lock release failed", "err", err)
		}
	}()

	day := time.Now().UTC()
	runKey := keys.DayKey{Base: runsRoot, Day: day, Shard: r.cfg.Shard}.String()
	if _, err := r.kv.Get(ctx, runKey); err == nil {
		r.log.InfoContext(ctx, "already ran today", "key", runKey)
		return nil, nil
	} else if !kvx.IsMissing(err) {
		return nil, err
	}

	due, err := r.collectDue(ctx)
	if err != nil {
		return nil, err
	}
	due = append(due, newlyOverdue...)

	var sent atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Concurrency)
	for i, ref := range due {
		g.Go(func() error {
			ok, err := r.advance(gctx, ref)
			if ok {
				sent.Add(1)
			}
			return err
		})
		progress := fmt.Sprintf("%d/%d", i+1, len(due))
		err := retry.Do(ctx, retry.Default, func(ctx context.Context) error {
			return r.kv.Put(ctx, progressKey.String(), []byte(progress), time.Hour) // EXPECT kvhotkey
		})
		if err != nil {
			r.log.DebugContext(ctx, "progress not written", "err", err)
		}
		if err := lk.RenewIfDue(ctx); err != nil {
			return nil, errors.Join(err, g.Wait())
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	n := sent.Load()
	countKey := keys.DayKey{Base: sentRoot, Day: day, Shard: r.cfg.Shard}
	if err := r.kv.Put(ctx, countKey.String(), []byte(strconv.FormatInt(n, 10)), 35*24*time.Hour); err != nil { // DEBATABLE kvcounter
		return nil, err
	}
	prev, err := r.previousTotal(ctx, day.AddDate(0, 0, -1))
	if err != nil {
		return nil, err
	}
	total := prev + n
	if err := r.kv.Put(ctx, keys.Shard(totalsRoot, r.cfg.Shard).String(), []byte(strconv.FormatInt(total, 10)), 0); err != nil { // EXPECT kvcounter
		return nil, err
	}
	sum := &Summary{Day: day.Format("2006-01-02"), Due: len(due), Sent: n, Total: total}
	b, _ := json.Marshal(sum)
	if err := r.kv.Put(ctx, runKey, b, 400*24*time.Hour); err != nil { // DEBATABLE kvrace
		return nil, err
	}
	return sum, nil
}

func (r *Runner) previousTotal(ctx context.Context, day time.Time) (int64, error) {
	raw, err := r.kv.Get(ctx, keys.DayKey{Base: runsRoot, Day: day, Shard: r.cfg.Shard}.String())
	if kvx.IsMissing(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var prev Summary
	if err := json.Unmarshal(raw, &prev); err != nil {
		return 0, err
	}
	return prev.Total, nil
}

// collectDue lists the dunning states whose next step is due. The tenant and
// the due time are kept in key metadata so no value has to be fetched.
func (r *Runner) collectDue(ctx context.Context) ([]keys.InvoiceRef, error) {
	cf, account, ns := r.kv.SDK()
	now := float64(time.Now().Unix())
	iter := cf.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(stateRoot.Prefix()),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	var due []keys.InvoiceRef
	for iter.Next() {
		k := iter.Current()
		meta, _ := k.Metadata.(map[string]any)
		if next, _ := meta["next_at"].(float64); next > now {
			continue
		}
		tenant, _ := meta["tenant"].(string)
		due = append(due, keys.InvoiceRef{Tenant: tenant, ID: strings.TrimPrefix(k.Name, stateRoot.Prefix())})
	}
	return due, iter.Err()
}

func (r *Runner) advance(ctx context.Context, ref keys.InvoiceRef) (bool, error) {
	if _, err := r.kv.Get(ctx, greylist.With(ref.ID).String()); err == nil || !kvx.IsMissing(err) {
		return false, err
	}
	key := stateRoot.With(ref.ID).String()
	var st State
	raw, err := r.kv.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		st = State{Tenant: ref.Tenant, InvoiceID: ref.ID, Stage: StageNew}
	} else if err := json.Unmarshal(raw, &st); err != nil {
		return false, fmt.Errorf("state %s: %w", ref.ID, err)
	}
	next, wait := nextStage(st.Stage)
	if next == "" {
		return false, nil
	}
	attempts, err := r.bumpAttempts(ctx, ref)
	if err != nil {
		return false, err
	}
	if attempts > maxAttempts {
		next, wait = StageCollections, 0
	}
	now := time.Now().UTC()
	result := "sent"
	switch err := r.mail.SendReminder(ctx, ref, next); {
	case errors.Is(err, ErrGreylisted):
		hold := greylist.With(ref.ID).String()
		if err := r.kv.PutUntil(ctx, hold, []byte(next), time.Now().Add(20*time.Second)); err != nil { // EXPECT kvttl
			return false, err
		}
		return false, nil
	case err != nil:
		result = "error: " + err.Error()
	}
	st.History = append(st.History, Step{Stage: next, At: now, Result: result})
	st.Stage = next
	st.NextAt = now.Add(wait)
	b, err := json.Marshal(st)
	if err != nil {
		return false, err
	}
	meta := map[string]any{"tenant": ref.Tenant, "next_at": st.NextAt.Unix()}
	err = r.kv.PutMeta(ctx, key, b, 180*24*time.Hour, meta) // EXPECT kvrace
	return result == "sent", err
}

func (r *Runner) bumpAttempts(ctx context.Context, ref keys.InvoiceRef) (int, error) {
	cf, account, ns := r.kv.SDK()
	key := attemptsRoot.With(ref.ID).String()
	res, err := cf.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	n := 0
	if res.StatusCode != http.StatusNotFound { // EXPECT kvnull
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return 0, err
		}
		n, _ = strconv.Atoi(strings.TrimSpace(string(body)))
	}
	n++
	return n, r.kv.Put(ctx, key, []byte(strconv.Itoa(n)), 60*24*time.Hour) // EXPECT kvcounter|kvrace
}

// Enqueue registers an invoice with the tenant index used for digests.
func (r *Runner) Enqueue(ctx context.Context, ref keys.InvoiceRef) error {
	return r.kv.Put(ctx, tenantIndex.With(ref.Tenant).Child(ref.ID).String(), []byte{}, 200*24*time.Hour)
}
