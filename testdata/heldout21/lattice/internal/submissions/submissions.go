// Package submissions manages paper submissions: the submission record,
// author drafts, and the human-readable slug each paper gets on the site.
package submissions

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/kvstore"
	"example.com/lattice/internal/platform/typedkv"
)

var (
	// ErrSlugTaken is returned when another paper already uses the slug.
	ErrSlugTaken = errors.New("submissions: slug already taken")
	// ErrUnknownPaper is returned for a paper that does not exist.
	ErrUnknownPaper = errors.New("submissions: unknown paper")
	// ErrLocked is returned when the submission deadline has passed.
	ErrLocked = errors.New("submissions: submission is locked")
)

// Submission is the authoritative record of a paper.
type Submission struct {
	ID        conf.PaperID  `json:"id"`
	Title     string        `json:"title"`
	Abstract  string        `json:"abstract"`
	Authors   []conf.Email  `json:"authors"`
	Track     conf.TrackID  `json:"track"`
	Keywords  []string      `json:"keywords,omitempty"`
	Decision  conf.Decision `json:"decision"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Revision  int           `json:"revision"`
}

// Draft is an author's unsaved work; it expires if abandoned.
type Draft struct {
	Author   conf.AuthorID `json:"author"`
	Title    string        `json:"title"`
	Abstract string        `json:"abstract"`
	SavedAt  time.Time     `json:"saved_at"`
}

type settings struct {
	now            func() time.Time
	draftRetention time.Duration
	deadline       time.Time
}

// Option configures a Service.
type Option interface{ apply(*settings) }

type clockOption func() time.Time

func (o clockOption) apply(s *settings) { s.now = o }

// WithClock replaces the wall clock.
func WithClock(now func() time.Time) Option { return clockOption(now) }

type retentionOption time.Duration

func (o retentionOption) apply(s *settings) {
	if d := time.Duration(o); d >= time.Hour {
		s.draftRetention = d
	}
}

// DraftRetention sets how long abandoned drafts survive (at least an hour).
func DraftRetention(d time.Duration) Option { return retentionOption(d) }

type deadlineOption time.Time

func (o deadlineOption) apply(s *settings) { s.deadline = time.Time(o) }

// Deadline locks submissions after t.
func Deadline(t time.Time) Option { return deadlineOption(t) }

// Service is the submissions use-case layer.
type Service struct {
	store  kvstore.Store
	papers typedkv.Store[conf.PaperID, Submission]
	drafts typedkv.Store[string, Draft]
	cfg    settings
}

// NewService wires a Service over store.
func NewService(store kvstore.Store, opts ...Option) *Service {
	cfg := settings{now: time.Now, draftRetention: 14 * 24 * time.Hour}
	for _, o := range opts {
		o.apply(&cfg)
	}
	return &Service{
		store:  store,
		papers: typedkv.New[conf.PaperID, Submission](store, "paper:"),
		drafts: typedkv.New[string, Draft](store, "draft:"),
		cfg:    cfg,
	}
}

func (s *Service) locked() bool {
	return !s.cfg.deadline.IsZero() && s.cfg.now().After(s.cfg.deadline)
}

// Submit stores a new submission under a freshly allocated number.
func (s *Service) Submit(ctx context.Context, c conf.ConferenceID, sub Submission) (Submission, error) {
	if s.locked() {
		return Submission{}, ErrLocked
	}
	now := s.cfg.now()
	sub.ID = conf.MakePaperID(c, now.Year(), allocateNumber())
	sub.CreatedAt, sub.UpdatedAt, sub.Revision = now, now, 1
	if err := s.papers.Put(ctx, sub.ID, sub, 0); err != nil {
		return Submission{}, fmt.Errorf("store submission: %w", err)
	}
	return sub, nil
}

// Get returns one submission.
func (s *Service) Get(ctx context.Context, id conf.PaperID) (Submission, error) {
	sub, err := s.papers.Get(ctx, id)
	if kvstore.IsNotFound(err) {
		return Submission{}, fmt.Errorf("%s: %w", id, ErrUnknownPaper)
	}
	return sub, err
}

// UpdateAbstract replaces the abstract and bumps the revision.
func (s *Service) UpdateAbstract(ctx context.Context, id conf.PaperID, abstract string) error {
	if s.locked() {
		return ErrLocked
	}
	sub, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	sub.Abstract = strings.TrimSpace(abstract)
	sub.Revision++
	sub.UpdatedAt = s.cfg.now()
	return s.papers.Put(ctx, id, sub, 0) // EXPECT kvrace
}

// Slugify turns a title into the URL slug used on the public site.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// ClaimSlug reserves the public slug for a paper.
func (s *Service) ClaimSlug(ctx context.Context, id conf.PaperID, title string) (string, error) {
	slug := Slugify(title)
	key := "slug:" + string(id.Conference()) + ":" + slug
	_, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		return "", fmt.Errorf("%q: %w", slug, ErrSlugTaken)
	case !kvstore.IsNotFound(err):
		return "", err
	}
	if err := s.store.Put(ctx, key, []byte(id)); err != nil { // EXPECT kvrace
		return "", err
	}
	return slug, nil
}

// SaveDraft keeps an author's in-progress draft for the retention period.
func (s *Service) SaveDraft(ctx context.Context, d Draft) (string, error) {
	id := d.Author.String() + ":" + randomSuffix()
	d.SavedAt = s.cfg.now()
	if err := s.drafts.Put(ctx, id, d, s.cfg.draftRetention); err != nil {
		return "", err
	}
	return id, nil
}

// Titles resolves the titles of several papers, skipping unknown ones.
func (s *Service) Titles(ctx context.Context, ids []conf.PaperID) (map[conf.PaperID]string, error) {
	found, err := s.papers.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	return maps.Collect(func(yield func(conf.PaperID, string) bool) {
		for _, p := range found {
			if !yield(p.Key, p.Value.Title) {
				return
			}
		}
	}), nil
}

func allocateNumber() int {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return int(b[0])<<8 | int(b[1])
}

func randomSuffix() string {
	return strings.ToLower(rand.Text()[:10])
}
