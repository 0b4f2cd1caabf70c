package events

import (
	"context"
	"fmt"
	"log"
	"sync/atomic"
	"time"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/d1"
	"example.com/lattice/internal/platform/kvstore"
	"example.com/lattice/internal/platform/typedkv"
)

// FeedItem is one line of the public "latest submissions" feed.
type FeedItem struct {
	Paper conf.PaperID `json:"paper"`
	Title string       `json:"title"`
	Track conf.TrackID `json:"track"`
	At    time.Time    `json:"at"`
}

// Activity is one entry in an author's paper timeline.
type Activity struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// Placement is where and when a paper is presented.
type Placement struct {
	Room  string    `json:"room"`
	Start time.Time `json:"start"`
}

// Projector consumes events and maintains the read models.
type Projector struct {
	store      kvstore.Store
	feed       typedkv.Store[string, FeedItem]
	activity   typedkv.Store[string, Activity]
	decisions  typedkv.Store[conf.PaperID, string]
	placements typedkv.Store[conf.PaperID, Placement]
	db         *d1.DB
	handled    atomic.Int64
	failed     atomic.Int64
	dropped    atomic.Int64
}

// NewProjector wires a Projector.
func NewProjector(store kvstore.Store, db *d1.DB) *Projector {
	return &Projector{
		store:      store,
		feed:       typedkv.New[string, FeedItem](store, "feed:"),
		activity:   typedkv.New[string, Activity](store, "activity:"),
		decisions:  typedkv.New[conf.PaperID, string](store, "decision-view:"),
		placements: typedkv.New[conf.PaperID, Placement](store, "placement:"),
		db:         db,
	}
}

// Run consumes in until it closes or ctx ends. Failed events are sent to
// dead without blocking; when dead is full they are counted and dropped.
func (p *Projector) Run(ctx context.Context, in <-chan Event, dead chan<- Event) error {
	metrics := time.NewTicker(time.Minute)
	defer metrics.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-metrics.C:
			p.publishMetrics(ctx)
		case ev, ok := <-in:
			if !ok {
				break loop
			}
			if err := p.handle(ctx, ev); err != nil {
				p.failed.Add(1)
				log.Printf("events: %T: %v", ev, err)
				select {
				case dead <- ev:
				default:
					p.dropped.Add(1)
				}
				continue loop
			}
			p.handled.Add(1)
		}
	}
	p.publishMetrics(ctx)
	return nil
}

func (p *Projector) handle(ctx context.Context, ev Event) error {
	switch e := ev.(type) {
	case PaperSubmitted:
		item := FeedItem{Paper: e.Paper, Title: e.Title, Track: e.Track, At: e.At}
		return p.feed.Put(ctx, "latest", item, 0) // EXPECT kvhotkey
	case ReviewSubmitted:
		key := fmt.Sprintf("%s:%d", e.Paper, e.At.UnixNano())
		return p.activity.Put(ctx, key, Activity{Kind: "review", At: e.At}, 180*24*time.Hour)
	case DecisionPublished:
		if err := p.decisions.Put(ctx, e.Paper, e.Decision.String(), 0); err != nil {
			return err
		}
		key := fmt.Sprintf("%s:%d", e.Paper, e.At.UnixNano())
		return p.activity.Put(ctx, key, Activity{Kind: "decision", At: e.At, Note: e.Decision.String()}, 180*24*time.Hour)
	case SessionScheduled:
		return p.placements.Put(ctx, e.Paper, Placement{Room: e.Room, Start: e.Start}, 0)
	default:
		return fmt.Errorf("unhandled event %T", ev)
	}
}

// publishMetrics adds the counters accumulated since the last call to D1.
func (p *Projector) publishMetrics(ctx context.Context) {
	for name, c := range map[string]*atomic.Int64{"handled": &p.handled, "failed": &p.failed, "dropped": &p.dropped} {
		if n := c.Swap(0); n > 0 {
			if _, err := p.db.Increment(ctx, "projector_metrics", name, n); err != nil {
				c.Add(n)
			}
		}
	}
}

// Timeline returns the most recent activity keys of a paper, newest last,
// with the cursor for older pages.
func (p *Projector) Timeline(ctx context.Context, paper conf.PaperID, cursor string) ([]string, string, error) {
	page, err := p.store.List(ctx, kvstore.ListQuery{Prefix: "activity:" + string(paper) + ":", Cursor: cursor, Limit: 200})
	if err != nil {
		return nil, "", err
	}
	return page.Names(), page.Cursor, nil
}
