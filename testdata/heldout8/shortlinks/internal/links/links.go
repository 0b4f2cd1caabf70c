// Package links owns short link records and slug resolution.
package links

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/repo"
	"example.com/shortlinks/internal/store"
)

var (
	ErrSlugTaken   = errors.New("links: slug already taken")
	ErrInvalidSlug = errors.New("links: invalid slug")
	ErrNotFound    = errors.New("links: not found")
	ErrExpired     = errors.New("links: expired")
)

var slugRE = regexp.MustCompile(`^[A-Za-z0-9_-]{3,64}$`)

// missMarker is cached for slugs that do not exist so that typo traffic does
// not hit the link table on every request.
const missMarker = "-"

type Link struct {
	Slug      string    `json:"slug"`
	Target    string    `json:"target"`
	Owner     string    `json:"owner"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Disabled  bool      `json:"disabled,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
}

// Index lists the slugs owned by one account, newest last.
type Index struct {
	Slugs []string `json:"slugs"`
}

type Service struct {
	links     *repo.Repo[Link]
	indexes   *repo.Repo[Index]
	redirects store.Store
	cfg       config.RedirectConfig
	now       func() time.Time
}

func NewService(st store.Store, redirects store.Store, cfg config.RedirectConfig) *Service {
	return &Service{
		links:     repo.New[Link](st, keys.LinkPrefix),
		indexes:   repo.New[Index](st, "idx:links:"),
		redirects: redirects,
		cfg:       cfg,
		now:       time.Now,
	}
}

type CreateInput struct {
	Slug      string
	Target    string
	Owner     string
	ExpiresAt time.Time
}

func (s *Service) Create(ctx context.Context, in CreateInput) (Link, error) {
	if !slugRE.MatchString(in.Slug) {
		return Link{}, ErrInvalidSlug
	}
	u, err := url.Parse(in.Target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Link{}, fmt.Errorf("links: target must be an absolute http(s) URL")
	}
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(s.now()) {
		return Link{}, fmt.Errorf("links: expiry is in the past")
	}
	taken, err := s.links.Exists(ctx, in.Slug)
	if err != nil {
		return Link{}, err
	}
	if taken {
		return Link{}, ErrSlugTaken
	}
	l := Link{Slug: in.Slug, Target: u.String(), Owner: in.Owner, CreatedAt: s.now().UTC(), ExpiresAt: in.ExpiresAt}
	var opts []store.PutOption
	if !in.ExpiresAt.IsZero() {
		opts = append(opts, store.WithTTL(time.Until(in.ExpiresAt))) // EXPECT kvttl
	}
	if err := s.links.Save(ctx, l.Slug, l, opts...); err != nil { // EXPECT kvrace
		return Link{}, err
	}
	idx, err := s.indexes.Get(ctx, in.Owner)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return l, err
	}
	idx.Slugs = append(idx.Slugs, l.Slug)
	if err := s.indexes.Save(ctx, in.Owner, idx); err != nil { // EXPECT kvrace
		return l, fmt.Errorf("links: index: %w", err)
	}
	return l, nil
}

// Get returns the stored link record.
func (s *Service) Get(ctx context.Context, slug string) (Link, error) {
	l, err := s.links.Get(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return Link{}, ErrNotFound
	}
	return l, err
}

// Owned returns the slugs an account has created.
func (s *Service) Owned(ctx context.Context, owner string) ([]string, error) {
	idx, err := s.indexes.Get(ctx, owner)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return idx.Slugs, err
}

// Resolve maps a slug to its target through the redirect cache.
func (s *Service) Resolve(ctx context.Context, slug string) (string, error) {
	ck := keys.RedirectPrefix + slug
	if v, ok, err := s.redirects.Get(ctx, ck); err == nil && ok {
		if v == missMarker {
			return "", ErrNotFound
		}
		return v, nil
	}
	l, err := s.links.Get(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		_ = s.redirects.Put(ctx, ck, missMarker, store.WithTTL(20*time.Second)) // EXPECT kvttl
		return "", ErrNotFound
	}
	if err != nil {
		return "", err
	}
	if l.Disabled {
		return "", ErrNotFound
	}
	ttl := s.cfg.CacheTTL
	if !l.ExpiresAt.IsZero() {
		left := time.Until(l.ExpiresAt)
		if left <= 0 {
			return "", ErrExpired
		}
		if left < time.Minute {
			// Too close to expiry to be worth caching.
			return l.Target, nil
		}
		ttl = min(ttl, left)
	}
	if err := s.redirects.Put(ctx, ck, l.Target, store.WithTTL(ttl)); err != nil {
		return "", err
	}
	return l.Target, nil
}

// Invalidate drops the cached redirect for slug after an edit.
func (s *Service) Invalidate(ctx context.Context, slug string) error {
	return s.redirects.Delete(ctx, keys.RedirectPrefix+slug)
}
