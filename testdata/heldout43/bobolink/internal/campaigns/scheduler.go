package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"golang.org/x/sync/errgroup"

	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/kvkeys"
	"bobolink/internal/retry"
	"bobolink/internal/subscribers"
	"bobolink/internal/tenants"
	"bobolink/internal/throttle"
)

// Sender delivers one message through the outbound MTA.
type Sender interface {
	Send(ctx context.Context, campaign *Campaign, to string) error
}

// Config holds scheduler settings read from the environment.
type Config struct {
	Instance    string
	LockTTL     time.Duration
	Concurrency int
	MaxPages    int
	Retention   time.Duration
}

// ConfigFromEnv reads SCHED_* variables with defaults.
func ConfigFromEnv(env clock.Lookup, instance string) Config {
	return Config{
		Instance:    instance,
		LockTTL:     clock.Duration(env, "SCHED_LOCK_TTL", 10*time.Minute),
		Concurrency: clock.Int(env, "SCHED_CONCURRENCY", 8),
		MaxPages:    clock.Int(env, "SCHED_MAX_RECIPIENT_PAGES", 200),
		Retention:   clock.Duration(env, "CAMPAIGN_RETENTION", 400*24*time.Hour),
	}
}

// Scheduler starts due campaigns. One Tick runs per minute.
type Scheduler struct {
	cfg      Config
	tenants  *tenants.Registry
	throttle *throttle.Throttle
	send     Sender
	clock    clock.Clock
	log      *slog.Logger

	mu         sync.Mutex
	monthSent  map[string]int
	monthLabel string
}

// NewScheduler wires a scheduler.
func NewScheduler(cfg Config, reg *tenants.Registry, th *throttle.Throttle, s Sender, c clock.Clock, log *slog.Logger) *Scheduler {
	return &Scheduler{cfg: cfg, tenants: reg, throttle: th, send: s, clock: c, log: log, monthSent: map[string]int{}}
}

type due struct {
	tenant string
	id     string
}

// dueCampaigns walks the tenant's schedule index and returns entries whose
// send time has passed.
func (s *Scheduler) dueCampaigns(ctx context.Context, ns *cfkv.Namespace, tenant string) ([]due, error) {
	now := s.clock.Now().Unix()
	prefix := kvkeys.ScheduledPrefix(tenant)
	var out []due
	cursor := ""
	for {
		keys, next, err := ns.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			ts, id, ok := strings.Cut(strings.TrimPrefix(k.Name, prefix), "-")
			if !ok {
				continue
			}
			at, err := strconv.ParseInt(ts, 10, 64)
			if err != nil || at > now {
				continue
			}
			out = append(out, due{tenant: tenant, id: id})
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// result is what one campaign run reports back to Tick.
type result struct {
	tenant string
	id     string
	sent   int
	err    error
}

// Tick starts every due campaign of every tenant.
func (s *Scheduler) Tick(ctx context.Context) error {
	var (
		mu      sync.Mutex
		results []result
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.cfg.Concurrency)
	for _, tenant := range s.tenants.IDs() {
		ns, err := s.tenants.Namespace(tenant)
		if err != nil {
			return err
		}
		dues, err := s.dueCampaigns(ctx, ns, tenant)
		if err != nil {
			s.log.Warn("schedule index", "tenant", tenant, "err", err)
			continue
		}
		book := NewBook(ns, s.clock)
		for _, d := range dues {
			g.Go(func() error {
				c, err := book.Find(gctx, d.tenant, d.id)
				if err != nil {
					return fmt.Errorf("campaign %s/%s: %w", d.tenant, d.id, err)
				}
				sent, err := s.start(gctx, ns, c)
				mu.Lock()
				results = append(results, result{tenant: d.tenant, id: d.id, sent: sent, err: err})
				mu.Unlock()
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	s.recordMonthly(ctx, results)
	return s.markHealthy(ctx)
}

// recordMonthly publishes the running per-tenant send totals for the billing
// page.
func (s *Scheduler) recordMonthly(ctx context.Context, results []result) {
	month := s.clock.Now().UTC().Format("2006-01")
	s.mu.Lock()
	if month != s.monthLabel {
		s.monthLabel, s.monthSent = month, map[string]int{}
	}
	touched := map[string]int{}
	for _, r := range results {
		if r.err != nil {
			s.log.Warn("campaign run", "tenant", r.tenant, "campaign", r.id, "err", r.err)
		}
		s.monthSent[r.tenant] += r.sent
		touched[r.tenant] = s.monthSent[r.tenant]
	}
	s.mu.Unlock()
	for tenant, total := range touched {
		ns, err := s.tenants.Namespace(tenant)
		if err != nil {
			continue
		}
		key := "quota/" + tenant + "/" + month
		if err := ns.Put(ctx, key, []byte(strconv.Itoa(total)), cfkv.PutOptions{TTL: 62 * 24 * time.Hour}); err != nil { // EXPECT kvcounter
			s.log.Warn("monthly total", "tenant", tenant, "err", err)
		}
	}
}

// markHealthy lets the status page know the scheduler is alive.
func (s *Scheduler) markHealthy(ctx context.Context) error {
	sys := s.tenants.System
	_, err := sys.API().KV.Namespaces.Values.Update(ctx, sys.ID(), "scheduler/last-tick", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(sys.Account()),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(s.cfg.Instance)),
		Expiration: cloudflare.F(float64(time.Now().Unix() + 30)), // EXPECT kvttl
	})
	return err
}

// acquire takes the per-campaign send lock.
func (s *Scheduler) acquire(ctx context.Context, ns *cfkv.Namespace, k kvkeys.CampaignKey) (bool, error) {
	_, err := ns.Get(ctx, k.Lock())
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, cfkv.ErrNotFound) {
		return false, err
	}
	return true, ns.Put(ctx, k.Lock(), []byte(s.cfg.Instance), cfkv.PutOptions{TTL: s.cfg.LockTTL}) // EXPECT kvrace
}

func (s *Scheduler) release(ctx context.Context, ns *cfkv.Namespace, k kvkeys.CampaignKey) {
	if err := ns.Delete(ctx, k.Lock()); err != nil && !errors.Is(err, cfkv.ErrNotFound) {
		s.log.Warn("release lock", "key", k.Lock(), "err", err)
	}
}

// logf appends a line to the campaign's activity log shown in the dashboard.
func (s *Scheduler) logf(ctx context.Context, ns *cfkv.Namespace, k kvkeys.CampaignKey, format string, args ...any) error {
	line := s.clock.Now().UTC().Format(time.RFC3339) + " " + fmt.Sprintf(format, args...) + "\n"
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		old, err := ns.Get(ctx, k.Log())
		if err != nil && !errors.Is(err, cfkv.ErrNotFound) {
			return err
		}
		return ns.Put(ctx, k.Log(), append(old, line...), cfkv.PutOptions{TTL: 30 * 24 * time.Hour}) // EXPECT kvrace
	})
}

// start runs one campaign under its lock.
func (s *Scheduler) start(ctx context.Context, ns *cfkv.Namespace, c *Campaign) (int, error) {
	k := c.keys()
	ok, err := s.acquire(ctx, ns, k)
	if err != nil || !ok {
		return 0, err
	}
	defer s.release(ctx, ns, k)
	_ = s.logf(ctx, ns, k, "send started by %s", s.cfg.Instance)
	return s.run(ctx, ns, c)
}

// recipients collects deliverable addresses of a list, at most MaxPages pages.
func (s *Scheduler) recipients(ctx context.Context, ns *cfkv.Namespace, list string) ([]string, error) {
	prefix := kvkeys.SubscriberPrefix(list)
	var out []string
	cursor := ""
	for page := 0; page < s.cfg.MaxPages; page++ {
		keys, next, err := ns.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		for start := 0; start < len(names); start += 100 {
			vals, err := ns.GetMany(ctx, names[start:min(start+100, len(names))])
			if err != nil {
				return nil, err
			}
			for _, raw := range vals {
				var sub subscribers.Subscriber
				if json.Unmarshal([]byte(raw), &sub) == nil && sub.Deliverable() {
					out = append(out, sub.Email)
				}
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
	return out, fmt.Errorf("campaigns: list %s larger than %d pages", list, s.cfg.MaxPages)
}

type progress struct {
	Sent  int    `json:"sent"`
	Total int    `json:"total"`
	Last  string `json:"last"`
}

// run sends the campaign and records the run in its history.
func (s *Scheduler) run(ctx context.Context, ns *cfkv.Namespace, c *Campaign) (sent int, err error) {
	started := s.clock.Now()
	k := c.keys()
	defer func() {
		r := Run{At: started, Sent: sent}
		if err != nil {
			r.Err = err.Error()
		}
		if rerr := c.Reload(ctx); rerr != nil {
			s.log.Warn("reload for history", "campaign", c.ID, "err", rerr)
			return
		}
		c.History = append(c.History, r)
		c.Sent += sent
		c.Status = Sent
		if err != nil {
			c.Status = Failed
		}
		if serr := c.Save(ctx); serr != nil { // EXPECT kvrace
			s.log.Warn("save history", "campaign", c.ID, "err", serr)
		}
	}()

	to, err := s.recipients(ctx, ns, c.List)
	if err != nil {
		return 0, err
	}
	byDomain := map[kvkeys.Domain][]string{}
	for _, addr := range to {
		d := kvkeys.Domain(domainOf(addr))
		byDomain[d] = append(byDomain[d], addr)
	}
	for d, addrs := range byDomain {
		if err := s.throttle.Reserve(ctx, d, len(addrs)); err != nil {
			_ = s.logf(ctx, ns, k, "skip %d recipients at %s: %v", len(addrs), d, err)
			continue
		}
		for _, addr := range addrs {
			if err := s.throttle.Wait(ctx, d); err != nil {
				return sent, err
			}
			if err := s.send.Send(ctx, c, addr); err != nil {
				_ = s.logf(ctx, ns, k, "deliver %s: %v", addr, err)
				continue
			}
			sent++
			p, _ := json.Marshal(progress{Sent: sent, Total: len(to), Last: addr})
			if err := ns.Put(ctx, k.Progress(), p, cfkv.PutOptions{TTL: 24 * time.Hour}); err != nil { // EXPECT kvhotkey
				s.log.Debug("progress", "err", err)
			}
		}
	}
	return sent, nil
}

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return strings.ToLower(d)
}
