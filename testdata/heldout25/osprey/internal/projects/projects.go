// Package projects manages projects, their slugs and environments.
package projects

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"example.com/osprey/internal/codec"
	"example.com/osprey/internal/config"
	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage"
)

// RepoInfo is what the git host tells us about a project's repository.
type RepoInfo struct {
	DefaultBranch string    `json:"default_branch"`
	Stars         int       `json:"stars"`
	PushedAt      time.Time `json:"pushed_at"`
}

// GitHost looks up repository details; it is slow and rate limited, so the
// service caches its answers.
type GitHost interface {
	Repo(ctx context.Context, url string) (RepoInfo, error)
}

// Service is the project API used by the handlers.
type Service interface {
	Create(ctx context.Context, p domain.Project) (domain.Project, error)
	Get(ctx context.Context, id string) (domain.Project, error)
	BySlug(ctx context.Context, slug string) (domain.Project, error)
	AddEnvironment(ctx context.Context, id, env string) (domain.Project, error)
	RepoInfo(ctx context.Context, id string) (RepoInfo, error)
	Preview(ctx context.Context, id string) (domain.Project, error)
	ListOwned(ctx context.Context, owner string) ([]domain.Project, error)
	Rename(ctx context.Context, id, name string) error
}

type service struct {
	records  storage.Store[string, domain.Project]
	slugs    storage.Store[string, string]
	repos    storage.Store[string, RepoInfo]
	git      GitHost
	cache    config.Cache
	maxPages int
	now      func() time.Time
}

var _ Service = (*service)(nil)

// Option configures the service.
type Option func(*service)

// WithGitHost sets the repository lookup used by RepoInfo.
func WithGitHost(g GitHost) Option { return func(s *service) { s.git = g } }

// WithCache copies the cache settings into the service.
func WithCache(c config.Cache) Option { return func(s *service) { s.cache = c } }

// WithMaxPages bounds owner listings.
func WithMaxPages(n int) Option { return func(s *service) { s.maxPages = n } }

// NewService returns the project service over raw.
func NewService(raw storage.Raw, opts ...Option) Service {
	s := &service{
		records:  storage.NewTyped[string, domain.Project](raw, codec.JSON[domain.Project]{}),
		slugs:    storage.NewTyped[string, string](raw, codec.Text{}),
		repos:    storage.NewTyped[string, RepoInfo](raw, codec.JSON[RepoInfo]{}),
		cache:    config.Default().Cache,
		maxPages: 5,
		now:      time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func recordKey(id string) string   { return path.Join("projects", id, "record") }
func slugKey(slug string) string   { return strings.Join([]string{"slugs", strings.ToLower(slug)}, ":") }
func repoKey(id string) string     { return path.Join("projects", id, "repo") }
func previewKey(id string) string  { return path.Join("previews", id) }
func ownerPrefix(o string) string  { return fmt.Sprintf("owners/%s/", o) }
func ownerKey(o, id string) string { return fmt.Sprintf("owners/%s/%s", o, id) }

func (s *service) Create(ctx context.Context, p domain.Project) (domain.Project, error) {
	if p.Slug == "" || p.Owner == "" {
		return domain.Project{}, fmt.Errorf("slug and owner are required")
	}
	if _, err := s.slugs.Get(ctx, slugKey(p.Slug)); err == nil {
		return domain.Project{}, domain.ErrConflict
	} else if !errors.Is(err, storage.ErrNotFound) {
		return domain.Project{}, err
	}
	p.ID = domain.NewID()
	p.Touch(s.now())
	if err := s.slugs.Put(ctx, slugKey(p.Slug), p.ID); err != nil { // EXPECT kvrace
		return domain.Project{}, err
	}
	if err := s.records.Put(ctx, recordKey(p.ID), p); err != nil {
		return domain.Project{}, err
	}
	// The owner index holds one key per project, written once at creation.
	if err := s.slugs.Put(ctx, ownerKey(p.Owner, p.ID), p.Slug); err != nil {
		return domain.Project{}, err
	}
	return p, nil
}

func (s *service) Get(ctx context.Context, id string) (domain.Project, error) {
	p, err := s.records.Get(ctx, recordKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.Project{}, domain.ErrNotFound
	}
	return p, err
}

func (s *service) BySlug(ctx context.Context, slug string) (domain.Project, error) {
	id, err := s.slugs.Get(ctx, slugKey(slug))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.Project{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.Project{}, err
	}
	return s.Get(ctx, id)
}

// update applies mut to the stored project and writes it back.
func (s *service) update(ctx context.Context, id string, mut func(*domain.Project) error) (domain.Project, error) {
	p, err := s.records.Get(ctx, recordKey(id))
	if err != nil {
		return domain.Project{}, err
	}
	if err := mut(&p); err != nil {
		return domain.Project{}, err
	}
	p.Touch(s.now())
	return p, s.records.Put(ctx, recordKey(id), p) // EXPECT kvrace
}

func (s *service) AddEnvironment(ctx context.Context, id, env string) (domain.Project, error) {
	return s.update(ctx, id, func(p *domain.Project) error {
		for _, e := range p.Environments {
			if e == env {
				return domain.ErrConflict
			}
		}
		p.Environments = append(p.Environments, env)
		return nil
	})
}

// RepoInfo is a read-through cache in front of the git host.
func (s *service) RepoInfo(ctx context.Context, id string) (RepoInfo, error) {
	info, err := s.repos.Get(ctx, repoKey(id))
	if err == nil {
		return info, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return RepoInfo{}, err
	}
	p, err := s.Get(ctx, id)
	if err != nil {
		return RepoInfo{}, err
	}
	if s.git == nil {
		return RepoInfo{}, errors.New("no git host configured")
	}
	info, err = s.git.Repo(ctx, p.Repo.URL)
	if err != nil {
		return RepoInfo{}, err
	}
	if err := s.repos.Put(ctx, repoKey(id), info, storage.WithTTL(s.cache.Projects.TTL)); err != nil {
		return RepoInfo{}, err
	}
	return info, nil
}

// Preview renders a short-lived snapshot used by the deploy preview banner.
func (s *service) Preview(ctx context.Context, id string) (domain.Project, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return domain.Project{}, err
	}
	err = s.records.Put(ctx, previewKey(id), p, storage.WithTTL(20*time.Second)) // EXPECT kvttl
	return p, err
}

func (s *service) ListOwned(ctx context.Context, owner string) ([]domain.Project, error) {
	var (
		out    []domain.Project
		cursor string
	)
	for page := 0; page < s.maxPages; page++ {
		pg, err := s.slugs.List(ctx, ownerPrefix(owner), cursor, 100)
		if err != nil {
			return nil, err
		}
		for _, k := range pg.Keys {
			id := path.Base(k.Name)
			out = append(out, domain.Project{ID: id, Owner: owner})
		}
		if pg.Complete {
			break
		}
		cursor = pg.Cursor
	}
	return out, nil
}

// Rename writes the new name under a fresh record version key; the record
// itself is replaced from the request, not from what was read.
func (s *service) Rename(ctx context.Context, id, name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("empty name")
	}
	p := domain.Project{ID: id, Name: name}
	p.Touch(s.now())
	return s.records.Put(ctx, path.Join("projects", id, "name"), p)
}
