// Package courses serves the course catalog. The database is the source of
// truth; KV holds read-shaped copies for the learner app and the edge.
package courses

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/academy/internal/cache"
	"example.com/academy/internal/config"
	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
)

var ErrSlugTaken = errors.New("courses: slug already taken")

type Course struct {
	ID           string    `json:"id"`
	Slug         string    `json:"slug"`
	Title        string    `json:"title"`
	InstructorID string    `json:"instructor_id"`
	Lessons      []string  `json:"lessons"`
	EndsAt       time.Time `json:"ends_at"`
}

type Instructor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Bio  string `json:"bio"`
}

// Source is the course database.
type Source interface {
	CourseByID(ctx context.Context, id string) (Course, error)
	Popular(ctx context.Context, limit int) ([]Course, error)
	InstructorByID(ctx context.Context, id string) (Instructor, error)
}

type Catalog struct {
	store     kvstore.Store
	src       Source
	courseTTL time.Duration
	byID      *cache.Cache[string, Course]
	popular   *cache.Cache[int, []Course]
	bios      *cache.Cache[string, Instructor]
}

func NewCatalog(store kvstore.Store, src Source, cfg config.Caching) *Catalog {
	popular := cache.DefaultPolicy
	popular.TTL = 30 * time.Second // EXPECT kvttl
	return &Catalog{
		store:     store,
		src:       src,
		courseTTL: cfg.CourseTTL,
		byID:      cache.New(store, func(id string) string { return keys.Course + id }, cache.JSON[Course]{}, cache.Policy{TTL: cfg.CourseTTL}),
		popular:   cache.New(store, func(n int) string { return fmt.Sprintf("popular:top%d", n) }, cache.JSON[[]Course]{}, popular),
		bios:      cache.New(store, func(id string) string { return "instructor:" + id }, cache.JSON[Instructor]{}, cache.TierCold.Policy()),
	}
}

func (c *Catalog) Course(ctx context.Context, id string) (Course, error) {
	return c.byID.GetOrLoad(ctx, id, c.src.CourseByID)
}

// Popular is the "popular this week" rail on the home page.
func (c *Catalog) Popular(ctx context.Context, n int) ([]Course, error) {
	return c.popular.GetOrLoad(ctx, n, c.src.Popular)
}

func (c *Catalog) Instructor(ctx context.Context, id string) (Instructor, error) {
	return c.bios.GetOrLoad(ctx, id, c.src.InstructorByID)
}

func (c *Catalog) Invalidate(ctx context.Context, id string) error {
	return c.byID.Invalidate(ctx, id)
}

type slugClaim struct {
	CourseID  string    `json:"course_id"`
	ClaimedAt time.Time `json:"claimed_at"`
}

// ClaimSlug reserves a public URL slug for a course. Instructors pick slugs
// in the course editor; the same course may re-save its own slug.
func (c *Catalog) ClaimSlug(ctx context.Context, slug, courseID string) error {
	key := keys.New("slug").Add(strings.ToLower(strings.TrimSpace(slug))).String()
	owner, found, err := kvstore.GetJSON[slugClaim](ctx, c.store, key)
	if err != nil {
		return fmt.Errorf("claim slug: %w", err)
	}
	if found && owner.CourseID != courseID {
		return fmt.Errorf("%w: %q", ErrSlugTaken, slug)
	}
	return kvstore.PutJSON(ctx, c.store, key, slugClaim{CourseID: courseID, ClaimedAt: time.Now().UTC()}) // EXPECT kvrace
}

type indexEntry struct {
	Title     string    `json:"title"`
	Slug      string    `json:"slug"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Publish writes the fresh course record and updates the instructor's
// course index shown on their public profile.
func (c *Catalog) Publish(ctx context.Context, id string) error {
	course, err := c.src.CourseByID(ctx, id)
	if err != nil {
		return err
	}
	if err := kvstore.PutJSON(ctx, c.store, keys.Course+id, course, kvstore.WithTTL(c.courseTTL)); err != nil {
		return fmt.Errorf("publish %s: %w", id, err)
	}
	indexKey := "catalog:instructor:" + course.InstructorID
	index, _, err := kvstore.GetJSON[map[string]indexEntry](ctx, c.store, indexKey)
	if err != nil {
		return err
	}
	if index == nil {
		index = make(map[string]indexEntry)
	}
	index[id] = indexEntry{Title: course.Title, Slug: course.Slug, UpdatedAt: time.Now().UTC()}
	return kvstore.PutJSON(ctx, c.store, indexKey, index) // EXPECT kvrace
}
