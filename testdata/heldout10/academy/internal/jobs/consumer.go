// Package jobs holds the background workers: the event queue consumer, the
// home page warmer and the roster importer.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/academy/internal/certs"
	"example.com/academy/internal/courses"
	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
	"example.com/academy/internal/progress"
)

type Event interface{ eventName() string }

type LessonCompleted struct{ Learner, Course, Lesson string }

type CourseUpdated struct {
	CourseID string
	At       time.Time
}

type CertificateIssued struct{ Cert certs.Certificate }

func (LessonCompleted) eventName() string   { return "lesson.completed" }
func (CourseUpdated) eventName() string     { return "course.updated" }
func (CertificateIssued) eventName() string { return "certificate.issued" }

type Consumer struct {
	events    <-chan Event
	store     kvstore.Store
	tracker   *progress.Tracker
	catalog   *courses.Catalog
	issuer    *certs.Issuer
	log       *slog.Logger
	flushEach time.Duration

	// completions per course since the process started
	completions map[string]int
}

func NewConsumer(events <-chan Event, store kvstore.Store, tracker *progress.Tracker, catalog *courses.Catalog, issuer *certs.Issuer, log *slog.Logger) *Consumer {
	return &Consumer{
		events:      events,
		store:       store,
		tracker:     tracker,
		catalog:     catalog,
		issuer:      issuer,
		log:         log,
		flushEach:   time.Minute,
		completions: map[string]int{},
	}
}

// Run consumes events until ctx is cancelled or the queue is closed.
func (c *Consumer) Run(ctx context.Context) error {
	tick := time.NewTicker(c.flushEach)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			c.flush(ctx)
		case ev, ok := <-c.events:
			if !ok {
				c.flush(ctx)
				return nil
			}
			if err := c.handle(ctx, ev); err != nil {
				c.log.WarnContext(ctx, "jobs: event failed", "event", ev.eventName(), "err", err)
			}
		}
	}
}

func (c *Consumer) handle(ctx context.Context, ev Event) error {
	switch e := ev.(type) {
	case LessonCompleted:
		c.completions[e.Course]++
		return c.tracker.CompleteLesson(ctx, e.Learner, e.Course, e.Lesson)
	case CourseUpdated:
		if err := c.catalog.Publish(ctx, e.CourseID); err != nil {
			return err
		}
		// edge workers compare this to decide whether to refetch the catalog
		return c.store.Put(ctx, "catalog:version", []byte(strconv.FormatInt(e.At.UnixNano(), 10))) // EXPECT kvhotkey
	case CertificateIssued:
		return c.issuer.Issue(ctx, e.Cert)
	default:
		return fmt.Errorf("jobs: unknown event %T", ev)
	}
}

// flush publishes the completion numbers shown on course cards.
func (c *Consumer) flush(ctx context.Context) {
	for course, n := range c.completions {
		key := keys.New("stats").Add(course).Add("completion-count").String()
		if err := c.store.Put(ctx, key, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter
			c.log.WarnContext(ctx, "jobs: flush", "course", course, "err", err)
		}
	}
}
