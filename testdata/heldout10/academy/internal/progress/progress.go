// Package progress tracks which lessons a learner has completed.
package progress

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
)

type Progress struct {
	LearnerID  string               `json:"learner_id"`
	CourseID   string               `json:"course_id"`
	Completed  map[string]time.Time `json:"completed"`
	LastLesson string               `json:"last_lesson"`
	UpdatedAt  time.Time            `json:"updated_at"`
}

type Tracker struct {
	store kvstore.Store
	now   func() time.Time
}

func NewTracker(store kvstore.Store) *Tracker {
	return &Tracker{store: store, now: time.Now}
}

func Key(learnerID, courseID string) string {
	return keys.Progress + learnerID + ":" + courseID
}

func (t *Tracker) save(ctx context.Context, key string, p *Progress) error {
	p.UpdatedAt = t.now().UTC()
	return kvstore.PutJSON(ctx, t.store, key, p)
}

// CompleteLesson records that the learner finished a lesson. Called from
// the lesson player and from the queue consumer for offline completions.
func (t *Tracker) CompleteLesson(ctx context.Context, learnerID, courseID, lessonID string) (err error) {
	key := Key(learnerID, courseID)
	p, found, err := kvstore.GetJSON[Progress](ctx, t.store, key)
	if err != nil {
		return fmt.Errorf("progress: load %s: %w", key, err)
	}
	if !found {
		p = Progress{LearnerID: learnerID, CourseID: courseID}
	}
	if p.Completed == nil {
		p.Completed = make(map[string]time.Time)
	}
	defer func() {
		if err == nil {
			err = t.save(ctx, key, &p) // EXPECT kvrace
		}
	}()
	if _, done := p.Completed[lessonID]; !done {
		p.Completed[lessonID] = t.now().UTC()
	}
	p.LastLesson = lessonID
	return nil
}

// Snapshot is what the instructor dashboard shows for one learner.
func (t *Tracker) Snapshot(ctx context.Context, learnerID, courseID string) (Progress, error) {
	raw, _ := t.store.Get(ctx, Key(learnerID, courseID)) // EXPECT kvnull
	var p Progress
	if err := json.Unmarshal(raw, &p); err != nil {
		return Progress{}, fmt.Errorf("progress: decode %s/%s: %w", learnerID, courseID, err)
	}
	return p, nil
}
