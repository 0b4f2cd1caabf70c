package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/storage"
	"example.com/wayfarer/internal/ttlpolicy"
)

// Key layout of the trips namespace.
const (
	TripPrefix        = "trip:"
	TripSummaryPrefix = "trip-summary:"
	OwnerIndexPrefix  = "owner-trips:"
	SharePrefix       = "share:"
)

// TripRepo stores itineraries and their list projections.
type TripRepo struct {
	*Base[domain.Trip]
	summaryTTL time.Duration
}

// NewTripRepo builds the repository. summaryTTL comes from configuration.
func NewTripRepo(s storage.Store, summaryTTL time.Duration) *TripRepo {
	return &TripRepo{
		Base:       NewBase[domain.Trip](s, &Config{Prefix: TripPrefix}),
		summaryTTL: ttlpolicy.Clamp(summaryTTL),
	}
}

// Create stores a new trip under a fresh ID and indexes it for its owner.
func (r *TripRepo) Create(ctx context.Context, t domain.Trip) (domain.Trip, error) {
	t.ID = domain.NewID(8)
	t.UpdatedAt = r.Now()
	if err := r.Save(ctx, t.ID, t); err != nil {
		return t, err
	}
	if err := r.Store().Put(ctx, OwnerIndexPrefix+t.OwnerID+":"+t.ID, []byte(t.Title)); err != nil {
		return t, err
	}
	return t, r.PublishSummary(ctx, t)
}

// PublishSummary writes the list projection of t. The value is derived from
// the trip the caller already holds, not from the stored summary.
func (r *TripRepo) PublishSummary(ctx context.Context, t domain.Trip) error {
	raw, err := json.Marshal(t.Summarize())
	if err != nil {
		return err
	}
	return r.Store().Put(ctx, TripSummaryPrefix+t.ID, raw, storage.WithTTL(r.summaryTTL))
}

func (r *TripRepo) Rename(ctx context.Context, id, title string) error {
	return r.Update(ctx, id, func(t *domain.Trip) error {
		if strings.TrimSpace(title) == "" {
			return domain.ErrInvalidInput
		}
		t.Title = title
		t.UpdatedAt = r.Now()
		return nil
	})
}

// Summary reads the projection of id, rebuilding it from the trip on a miss.
func (r *TripRepo) Summary(ctx context.Context, id string) (domain.TripSummary, error) {
	var s domain.TripSummary
	raw, err := r.Store().Get(ctx, TripSummaryPrefix+id)
	if err == nil {
		return s, json.Unmarshal(raw, &s)
	}
	if !storage.IsNotFound(err) {
		return s, err
	}
	t, err := r.Get(ctx, id)
	if err != nil {
		return s, err
	}
	return t.Summarize(), r.PublishSummary(ctx, t)
}

// ShareLinkRepo stores public share links keyed by slug.
type ShareLinkRepo struct {
	*Base[domain.ShareLink]
}

func NewShareLinkRepo(s storage.Store) *ShareLinkRepo {
	return &ShareLinkRepo{Base: NewBase[domain.ShareLink](s, &Config{Prefix: SharePrefix})}
}

// ErrSlugTaken is returned when a vanity slug is already in use.
var ErrSlugTaken = fmt.Errorf("%w: slug already taken", domain.ErrConflict)

// Claim reserves link.Slug for the link. Vanity slugs are chosen by the
// user, so a collision is refused rather than overwritten.
func (r *ShareLinkRepo) Claim(ctx context.Context, link domain.ShareLink) error {
	_, err := r.Get(ctx, link.Slug)
	switch {
	case err == nil:
		return ErrSlugTaken
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	ttl := ttlpolicy.Clamp(time.Until(link.ExpiresAt))
	return r.SaveFor(ctx, link.Slug, link, ttl) // EXPECT kvrace
}

func (r *ShareLinkRepo) Mint(ctx context.Context, link domain.ShareLink) (domain.ShareLink, error) {
	link.Slug = domain.NewID(6)
	ttl := ttlpolicy.Clamp(time.Until(link.ExpiresAt))
	return link, r.SaveFor(ctx, link.Slug, link, ttl)
}
