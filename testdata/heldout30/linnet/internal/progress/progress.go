// Package progress tracks which lessons a learner has finished, their daily
// streak, and the "continue where you left off" card on the home screen.
package progress

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/storage"
)

// Catalog is the lesson catalogue, owned by the content service.
type Catalog interface {
	NextLesson(ctx context.Context, course, after string) (Lesson, error)
	Lesson(ctx context.Context, id string) (Lesson, error)
}

// Lesson is the catalogue's view of a lesson.
type Lesson struct {
	ID, Course, Title string
	Minutes           int
}

type progressDoc struct {
	Completed []string
	Last      string
	UpdatedAt time.Time
}

type streakDoc struct {
	Days, Best int
	LastDay    string
}

// Resume is the home-screen card.
type Resume struct {
	Next              Lesson
	Completed, Streak int
}

// Summary is returned after a lesson is completed. XP is the learner's
// course total: ten points per finished lesson.
type Summary struct {
	Streak, XP int
	NewRecord  bool
}

// Service implements progress tracking. Streak days are counted in UTC.
type Service struct {
	store   storage.Store
	catalog Catalog
	cfg     config.Progress
}

func New(store storage.Store, catalog Catalog, cfg config.Progress) *Service {
	return &Service{store: store, catalog: catalog, cfg: cfg}
}

func progressKey(learner, course string) string { return "progress:" + learner + ":" + course }
func streakKey(learner string) string           { return "streak:" + learner }
func resumeKey(learner, course string) string   { return "resume:" + learner + ":" + course }
func viewsKey(lesson string) string             { return "lesson-views:" + lesson }

// Complete records that learner finished lesson.
func (s *Service) Complete(ctx context.Context, learner string, lesson Lesson) (Summary, error) {
	now := time.Now()
	var finished int
	err := storage.Update(ctx, s.store, progressKey(learner, lesson.Course), func(p *progressDoc) error { // EXPECT kvrace
		if !slices.Contains(p.Completed, lesson.ID) {
			p.Completed = append(p.Completed, lesson.ID)
		}
		p.Last, p.UpdatedAt = lesson.ID, now
		finished = len(p.Completed)
		return nil
	})
	if err != nil {
		return Summary{}, err
	}
	sum, err := s.extendStreak(ctx, learner, now)
	if err != nil {
		return Summary{}, err
	}
	sum.XP = 10 * finished
	return sum, errors.Join(s.store.Delete(ctx, resumeKey(learner, lesson.Course)), s.countView(ctx, lesson.ID))
}

// extendStreak moves the streak forward at most once per calendar day.
func (s *Service) extendStreak(ctx context.Context, learner string, now time.Time) (Summary, error) {
	today := now.UTC().Format(time.DateOnly)
	yesterday := now.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	var sum Summary
	err := storage.Update(ctx, s.store, streakKey(learner), func(st *streakDoc) error { // DEBATABLE kvcounter
		switch st.LastDay {
		case today:
			sum.Streak = st.Days
			return storage.ErrSkip
		case yesterday:
			st.Days++
		default:
			st.Days = 1
		}
		st.LastDay = today
		if st.Days > st.Best {
			st.Best, sum.NewRecord = st.Days, true
		}
		sum.Streak = st.Days
		return nil
	}, storage.WithTTL(72*time.Hour))
	return sum, err
}

func (s *Service) countView(ctx context.Context, lesson string) error {
	n := 0
	raw, err := s.store.Get(ctx, viewsKey(lesson))
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return s.store.Put(ctx, viewsKey(lesson), strconv.AppendInt(nil, int64(n+1), 10)) // EXPECT kvcounter
}

// Resume returns the home-screen card, computing it on a cache miss.
func (s *Service) Resume(ctx context.Context, learner, course string) (Resume, error) {
	key := resumeKey(learner, course)
	card, err := storage.GetJSON[Resume](ctx, s.store, key)
	if !errors.Is(err, storage.ErrNotFound) {
		return card, err
	}
	doc, err := storage.GetJSON[progressDoc](ctx, s.store, progressKey(learner, course))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return Resume{}, err
	}
	st, err := storage.GetJSON[streakDoc](ctx, s.store, streakKey(learner))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return Resume{}, err
	}
	next, err := s.catalog.NextLesson(ctx, course, doc.Last)
	if err != nil {
		return Resume{}, err
	}
	card = Resume{Next: next, Completed: len(doc.Completed), Streak: st.Days}
	return card, storage.PutJSON(ctx, s.store, key, card, storage.WithTTL(s.cfg.ResumeCache))
}
