// Package scheduler publishes posts at the time their writers chose. A queued
// post has a "sched:<unix>:<writer>:<post>" key, so a prefix listing returns
// the queue in publication order.
package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"quill/internal/config"
	"quill/internal/keys"
	"quill/internal/kvstore"
)

type Post struct {
	ID          string    `json:"id"`
	Writer      string    `json:"writer"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	PublishAt   time.Time `json:"publish_at"`
	Status      string    `json:"status"`
	PublishedAt time.Time `json:"published_at,omitzero"`
}

type FeedEntry struct {
	Slug  string    `json:"slug"`
	Title string    `json:"title"`
	At    time.Time `json:"at"`
}

// Publisher sends a post to subscribers and knows the send history.
type Publisher interface {
	Publish(ctx context.Context, p Post) (recipients int, err error)
	Recent(ctx context.Context, writer string, n int) ([]FeedEntry, error)
	SentThisMonth(ctx context.Context, writer string) (int, error)
}

// Scheduler runs the publication queue in the shared namespace.
type Scheduler struct {
	store kvstore.Store
	rest  *kvstore.REST
	api   *kv.NamespaceService
	acct  string
	cfg   config.Scheduler
	owner string
	pub   Publisher
	log   *log.Logger
}

func New(client *cloudflare.Client, rest *kvstore.REST, acct string, cfg config.Scheduler, owner string, pub Publisher, logger *log.Logger) *Scheduler {
	return &Scheduler{store: rest, rest: rest, api: client.KV.Namespaces, acct: acct, cfg: cfg, owner: owner, pub: pub, log: logger}
}

func postKey(id string) string { return "post:" + id }

// queueTime reads the publication time out of a queue key.
func queueTime(k string) (int64, error) {
	unix, _, _ := strings.Cut(strings.TrimPrefix(k, keys.ScheduledPrefix), ":")
	return strconv.ParseInt(unix, 10, 64)
}

// Queue schedules p for publication.
func (s *Scheduler) Queue(ctx context.Context, p Post) error {
	if !p.PublishAt.After(time.Now()) {
		return fmt.Errorf("scheduler: %s: publication time is in the past", p.ID)
	}
	p.Status = "scheduled"
	b, _ := json.Marshal(p)
	// Until publication the edge answers 404 for the post's URL.
	for _, j := range []struct {
		key, value string
		ttl        time.Duration
	}{
		{postKey(p.ID), string(b), 0},
		{"embargo:" + p.Writer + ":" + p.Slug, p.ID, time.Until(p.PublishAt)}, // EXPECT kvttl
	} {
		if err := s.store.Put(ctx, j.key, j.value, j.ttl); err != nil {
			return fmt.Errorf("scheduler: queue %s: %w", p.ID, err)
		}
	}
	// The queue entry outlives the publication by a day so a late tick finds it.
	if err := s.rest.PutAt(ctx, keys.Scheduled(p.PublishAt.Unix(), p.Writer, p.ID), p.ID, p.PublishAt.Add(24*time.Hour)); err != nil {
		return fmt.Errorf("scheduler: queue %s: %w", p.ID, err)
	}
	// The reminder key expires an hour before publication; the mailer sends
	// the writer a heads-up when it disappears.
	_, err := s.api.Values.Update(ctx, s.rest.ID(), url.PathEscape("remind:"+p.ID), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.acct),
		Value:      cloudflare.F(p.Writer),
		Expiration: cloudflare.F(float64(p.PublishAt.Add(-time.Hour).UnixMilli())), // EXPECT kvttl
	})
	return err
}

// Countdown shows "new post in ..." on the writer's home page until at.
func (s *Scheduler) Countdown(ctx context.Context, writer, title string, at time.Time) error {
	ttl := max(time.Until(at), 5*time.Second) // EXPECT kvttl
	return s.store.Put(ctx, "countdown:"+writer, title, ttl)
}

// Snooze hides a writer's pending-post banner in the dashboard until until.
func (s *Scheduler) Snooze(ctx context.Context, writer string, until time.Time) error {
	ttl := time.Until(until)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.store.Put(ctx, "snooze:"+writer, until.UTC().Format(time.RFC3339), ttl)
}

// Run ticks until ctx is done.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Tick.Duration)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := s.tick(ctx, now); err != nil {
				s.log.Printf("scheduler: tick: %v", err)
			}
		}
	}
}

func (s *Scheduler) tick(ctx context.Context, now time.Time) error {
	release, err := kvstore.Lease(ctx, s.store, "sched:lease", s.owner, 2*time.Minute)
	if busy := (*kvstore.BusyError)(nil); errors.As(err, &busy) {
		return nil
	} else if err != nil {
		return err
	}
	defer release()

	queued, truncated, err := kvstore.Collect(ctx, s.store, keys.ScheduledPrefix, s.cfg.MaxPages)
	if err != nil {
		return fmt.Errorf("scheduler: list queue: %w", err)
	}
	if truncated {
		s.log.Printf("scheduler: queue longer than %d pages", s.cfg.MaxPages)
	}
	var due []string
	for _, k := range queued {
		if unix, err := queueTime(k); err == nil && unix <= now.Unix() {
			due = append(due, k)
		}
	}
	var published []Post
	err = kvstore.Apply(ctx, due, func(ctx context.Context, k string) error {
		p, err := s.publishOne(ctx, k)
		if err == nil {
			published = append(published, p)
		}
		return err
	})
	err = errors.Join(err, s.refreshFeeds(ctx, published))
	return errors.Join(err, s.store.Put(ctx, "sched:last-run", now.UTC().Format(time.RFC3339), 0))
}

func (s *Scheduler) publishOne(ctx context.Context, queueKey string) (Post, error) {
	id := queueKey[strings.LastIndexByte(queueKey, ':')+1:]
	raw, found, err := s.store.Get(ctx, postKey(id)) // DEBATABLE kvlist
	if err != nil || !found {
		return Post{}, errors.Join(err, s.store.Delete(ctx, queueKey))
	}
	var p Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Post{}, fmt.Errorf("scheduler: decode %s: %w", id, err)
	}
	if _, err := s.pub.Publish(ctx, p); err != nil {
		return p, fmt.Errorf("scheduler: publish %s: %w", id, err)
	}
	if err := s.markPublished(ctx, id); err != nil {
		return p, err
	}
	if err := s.recordSends(ctx, p.Writer); err != nil {
		s.log.Printf("scheduler: sends of %s not recorded: %v", id, err)
	}
	return p, s.store.Delete(ctx, queueKey)
}

// markPublished flips a post's status.
func (s *Scheduler) markPublished(ctx context.Context, id string) error {
	key := postKey(id)
	raw, found, err := s.store.Get(ctx, key)
	if err != nil || !found {
		return errors.Join(fmt.Errorf("scheduler: post %s not found", id), err)
	}
	var p Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return fmt.Errorf("scheduler: decode %s: %w", id, err)
	}
	p.Status, p.PublishedAt = "published", time.Now().UTC()
	b, _ := json.Marshal(p)
	return s.store.Put(ctx, key, string(b), 0) // EXPECT kvrace
}

// MarkPublished is used by the backfill tool for posts published by hand.
func (s *Scheduler) MarkPublished(ctx context.Context, ids []string) error {
	return kvstore.Apply(ctx, ids, s.markPublished)
}

// recordSends mirrors the month's send total for the edge's plan-limit banner.
func (s *Scheduler) recordSends(ctx context.Context, writer string) error {
	sent, err := s.pub.SentThisMonth(ctx, writer)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("quota:sends:%s:%s", writer, time.Now().UTC().Format("200601"))
	return s.store.Put(ctx, key, strconv.Itoa(sent), 40*24*time.Hour) // EXPECT kvcounter
}

// refreshFeeds rewrites the feed of every writer who just published.
func (s *Scheduler) refreshFeeds(ctx context.Context, published []Post) error {
	byWriter := map[string][]Post{}
	for _, p := range published {
		byWriter[p.Writer] = append(byWriter[p.Writer], p)
	}
	var errs []error
	for writer, posts := range byWriter {
		for range posts {
			feed, err := s.pub.Recent(ctx, writer, 20)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			b, _ := json.Marshal(feed)
			if err := s.store.Put(ctx, keys.Feed(writer), string(b), 0); err != nil { // EXPECT kvhotkey
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Sweep removes queue entries more than a week past their publication time,
// recording its position so an interrupted sweep can be inspected.
func (s *Scheduler) Sweep(ctx context.Context) (removed int, err error) {
	cutoff := time.Now().Add(-7 * 24 * time.Hour).Unix()
	next := kvstore.Pager(ctx, s.store, keys.ScheduledPrefix, 1000)
	checkpoint := (*kvstore.REST).Put
	for {
		ks, more, err := next() // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range ks {
			if unix, err := queueTime(k); err == nil && unix < cutoff && s.store.Delete(ctx, k) == nil {
				removed++
			}
			if err := checkpoint(s.rest, ctx, "sched:sweep:position", k, time.Hour); err != nil { // EXPECT kvhotkey
				return removed, err
			}
		}
		if !more {
			return removed, nil
		}
	}
}
