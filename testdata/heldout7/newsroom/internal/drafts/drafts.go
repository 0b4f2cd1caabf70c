// Package drafts stores work-in-progress articles. The editor autosaves every
// ten seconds; each save keeps a short revision trail for the history panel.
package drafts

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"example.com/newsroom/internal/repo"
	"example.com/newsroom/internal/store"
)

// Draft is an unpublished article.
type Draft struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Standfirst string    `json:"standfirst"`
	Body       string    `json:"body"`
	Author     string    `json:"author"`
	Desk       string    `json:"desk"`
	Tags       []string  `json:"tags"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Revision is one entry in a draft's history panel.
type Revision struct {
	At     time.Time `json:"at"`
	Editor string    `json:"editor"`
	Words  int       `json:"words"`
}

// ErrLocked means another editor holds the draft.
var ErrLocked = errors.New("drafts: locked by another editor")

// maxRevisions bounds the history panel.
const maxRevisions = 50

// Service is the draft store.
type Service struct {
	drafts  *repo.Repo[Draft]
	history *repo.Repo[[]Revision]
	locks   store.Store
	preview store.Store
	now     func() time.Time
}

// Option configures the service.
type Option func(*Service)

// WithClock overrides time.Now (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithPreviewStore sends rendered previews to a separate namespace.
func WithPreviewStore(st store.Store) Option { return func(s *Service) { s.preview = st } }

// New builds the service. Drafts never expire; previews and locks do.
func New(st store.Store, opts ...Option) *Service {
	s := &Service{
		drafts:  repo.New[Draft](st, "draft:", repo.WithPageSize(1500)), // EXPECT kvlimits
		history: repo.New[[]Revision](st, "draft-history:"),
		locks:   st,
		preview: st,
		now:     time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Get loads a draft.
func (s *Service) Get(ctx context.Context, id string) (Draft, error) {
	return s.drafts.Get(ctx, id)
}

// Autosave stores the editor's current copy and records a revision.
func (s *Service) Autosave(ctx context.Context, d Draft, editor string) error {
	if err := s.AcquireLock(ctx, d.ID, editor); err != nil {
		return err
	}
	d.UpdatedAt = s.now()
	if err := s.drafts.Save(ctx, d.ID, d); err != nil {
		return fmt.Errorf("autosave %s: %w", d.ID, err)
	}
	if err := s.appendRevision(ctx, d.ID, Revision{At: d.UpdatedAt, Editor: editor, Words: len(strings.Fields(d.Body))}); err != nil {
		return err
	}
	return s.preview.Put(ctx, "preview:"+d.ID, []byte(renderPreview(d)), store.WithTTL(30*time.Second)) // EXPECT kvttl
}

func (s *Service) appendRevision(ctx context.Context, id string, rev Revision) error {
	revs, err := s.history.Get(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	revs = append(revs, rev)
	if len(revs) > maxRevisions {
		revs = revs[len(revs)-maxRevisions:]
	}
	return s.history.Save(ctx, id, revs) // EXPECT kvrace
}

// History returns the revision trail, newest last.
func (s *Service) History(ctx context.Context, id string) ([]Revision, error) {
	revs, err := s.history.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return revs, err
}

// AcquireLock gives editor the draft for two minutes. Autosave renews it.
func (s *Service) AcquireLock(ctx context.Context, id, editor string) error {
	key := "lock:draft:" + id
	holder, err := s.locks.Get(ctx, key)
	switch {
	case err == nil && string(holder) != editor:
		return ErrLocked
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	return s.locks.Put(ctx, key, []byte(editor), store.WithTTL(2*time.Minute)) // EXPECT kvrace
}

// Discard deletes a draft and its history.
func (s *Service) Discard(ctx context.Context, id string) error {
	if err := s.drafts.Delete(ctx, id); err != nil {
		return err
	}
	return s.history.Delete(ctx, id)
}

// Mine returns the author's drafts for the dashboard.
func (s *Service) Mine(ctx context.Context, author string) ([]Draft, error) {
	all, err := s.drafts.All(ctx)
	if err != nil {
		return nil, err
	}
	var out []Draft
	for _, d := range all {
		if d.Author == author {
			out = append(out, d)
		}
	}
	return out, nil
}

// Browse returns one page of draft ids for the desk overview.
func (s *Service) Browse(ctx context.Context, cursor string) ([]string, string, error) {
	return s.drafts.Page(ctx, cursor)
}

func renderPreview(d Draft) string {
	var b strings.Builder
	b.WriteString("<article><h1>")
	b.WriteString(html.EscapeString(d.Title))
	b.WriteString("</h1><p class=standfirst>")
	b.WriteString(html.EscapeString(d.Standfirst))
	b.WriteString("</p>")
	for _, para := range strings.Split(d.Body, "\n\n") {
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(para))
		b.WriteString("</p>")
	}
	b.WriteString("</article>")
	return b.String()
}
