// Package events projects domain events from the submission, review and
// programme services into the read models the attendee and author apps use.
package events

import (
	"context"
	"sync"
	"time"

	"example.com/lattice/internal/conf"
)

// Event is any domain event.
type Event interface {
	OccurredAt() time.Time
}

type base struct{ At time.Time }

func (b base) OccurredAt() time.Time { return b.At }

// PaperSubmitted is emitted when an author submits.
type PaperSubmitted struct {
	base
	Paper conf.PaperID
	Title string
	Track conf.TrackID
}

// ReviewSubmitted is emitted when a reviewer files a report.
type ReviewSubmitted struct {
	base
	Paper    conf.PaperID
	Reviewer conf.ReviewerID
}

// DecisionPublished is emitted when the chairs notify authors.
type DecisionPublished struct {
	base
	Paper    conf.PaperID
	Decision conf.Decision
}

// SessionScheduled is emitted when a paper gets a slot.
type SessionScheduled struct {
	base
	Paper conf.PaperID
	Room  string
	Start time.Time
}

// NewPaperSubmitted builds the event stamped now.
func NewPaperSubmitted(p conf.PaperID, title string, t conf.TrackID) PaperSubmitted {
	return PaperSubmitted{base: base{At: time.Now()}, Paper: p, Title: title, Track: t}
}

// FanIn merges sources into one channel that closes when all of them have.
func FanIn(ctx context.Context, sources ...<-chan Event) <-chan Event {
	out := make(chan Event)
	var wg sync.WaitGroup
	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range src {
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}
