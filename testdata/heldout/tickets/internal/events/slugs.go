package events

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"example.com/tickets/internal/domain"
	"example.com/tickets/internal/repo"
)

var (
	ErrSlugTaken   = errors.New("slug already in use")
	ErrSlugInvalid = errors.New("slug must be 3-48 lowercase letters, digits or dashes")

	slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,47}$`)
)

// SlugRecord maps a vanity URL (/e/{slug}) to an event.
type SlugRecord struct {
	EventID   string    `json:"event_id"`
	OwnerID   string    `json:"owner_id"`
	ClaimedAt time.Time `json:"claimed_at"`
}

type Slugs struct {
	repo *repo.Repo[SlugRecord]
}

func NewSlugs(r *repo.Repo[SlugRecord]) *Slugs { return &Slugs{repo: r} }

// Resolve maps a slug to its event id.
func (s *Slugs) Resolve(ctx context.Context, slug string) (string, error) {
	rec, err := s.repo.Get(ctx, strings.ToLower(slug))
	if err != nil {
		return "", err
	}
	return rec.EventID, nil
}

// Claim reserves slug for an organiser's event.
func (s *Slugs) Claim(ctx context.Context, slug, eventID, ownerID string) error {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !slugRE.MatchString(slug) {
		return ErrSlugInvalid
	}
	switch _, err := s.repo.Get(ctx, slug); {
	case err == nil:
		return ErrSlugTaken
	case !errors.Is(err, domain.ErrNotFound):
		return fmt.Errorf("slugs: lookup %q: %w", slug, err)
	}
	rec := &SlugRecord{EventID: eventID, OwnerID: ownerID, ClaimedAt: time.Now().UTC()}
	return s.repo.Put(ctx, slug, rec) // EXPECT kvrace
}

// Release gives a slug back; only its owner may do so.
func (s *Slugs) Release(ctx context.Context, slug, ownerID string) error {
	rec, err := s.repo.Get(ctx, slug)
	if err != nil {
		return err
	}
	if rec.OwnerID != ownerID {
		return domain.ErrForbidden
	}
	return s.repo.Delete(ctx, slug)
}
