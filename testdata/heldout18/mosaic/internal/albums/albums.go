// Package albums manages albums, their slugs, photo order and covers.
package albums

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/storage"
	"example.com/mosaic/internal/typed"
)

// AlbumID identifies an album.
type AlbumID string

// SlugKey identifies a slug claim: owner + ":" + slug.
type SlugKey string

// Key prefixes used by this package.
const (
	albumPrefix  = "album:"
	slugPrefix   = "slug:"
	ownerPrefix  = "owner-albums:"
	photosPrefix = "album-photos:"
	coverPrefix  = "album-cover:"
)

// Service is the album application service.
type Service struct {
	raw    storage.Store
	albums *typed.Store[AlbumID, domain.Album]
	slugs  *typed.Store[SlugKey, string]
	owners *typed.Store[string, string]
	photos *typed.Store[AlbumID, domain.PhotoIndex]
	covers *typed.Store[AlbumID, string]
	save   storage.PutFunc
	log    *slog.Logger
}

// NewService wires the typed views over st.
func NewService(st storage.Store, log *slog.Logger) *Service {
	none := storage.PutOptions{}
	return &Service{
		raw:    st,
		albums: typed.New[AlbumID, domain.Album](st, albumPrefix, none),
		slugs:  typed.New[SlugKey, string](st, slugPrefix, none),
		owners: typed.New[string, string](st, ownerPrefix, none),
		photos: typed.New[AlbumID, domain.PhotoIndex](st, photosPrefix, none),
		covers: typed.New[AlbumID, string](st, coverPrefix, none),
		save:   st.Put,
		log:    log,
	}
}

func slugKey(owner, slug string) SlugKey { return SlugKey(owner + ":" + slug) }

// CreateInput holds the fields of a new album.
type CreateInput struct {
	OwnerID    string
	Slug       string
	Title      string
	Visibility domain.Visibility
}

// Create claims the slug for the owner and stores a new album.
func (s *Service) Create(ctx context.Context, in CreateInput) (domain.Album, error) {
	now := time.Now().UTC()
	a := domain.Album{
		ID:         domain.NewID("alb"),
		OwnerID:    in.OwnerID,
		Slug:       strings.ToLower(in.Slug),
		Title:      in.Title,
		Visibility: in.Visibility,
		Version:    1,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if a.Visibility == "" {
		a.Visibility = domain.VisibilityPrivate
	}
	if err := a.Validate(); err != nil {
		return domain.Album{}, err
	}
	sk := slugKey(a.OwnerID, a.Slug)
	if _, taken, err := s.slugs.Lookup(ctx, sk); err != nil {
		return domain.Album{}, err
	} else if taken {
		return domain.Album{}, domain.ErrSlugTaken
	}
	if err := s.slugs.Put(ctx, sk, a.ID); err != nil { // EXPECT kvrace
		return domain.Album{}, err
	}
	if err := s.albums.Put(ctx, AlbumID(a.ID), a); err != nil {
		return domain.Album{}, err
	}
	marker := ownerPrefix + a.OwnerID + ":" + a.ID
	if err := s.save(ctx, marker, []byte(`"`+a.Slug+`"`), storage.PutOptions{}); err != nil {
		return domain.Album{}, err
	}
	s.log.InfoContext(ctx, "album created", "album", a.ID, "slug", a.Slug)
	return a, nil
}

// Get returns a live album.
func (s *Service) Get(ctx context.Context, id AlbumID) (domain.Album, error) {
	a, ok, err := s.albums.Lookup(ctx, id)
	if err == nil && (!ok || a.Tombstoned()) {
		err = domain.ErrNotFound
	}
	return a, err
}

// Patch lists the mutable album fields; nil means unchanged.
type Patch struct {
	Title      *string
	Visibility *domain.Visibility
	Tags       []string
}

func (p Patch) apply(a *domain.Album) {
	if p.Title != nil {
		a.Title = *p.Title
	}
	if p.Visibility != nil {
		a.Visibility = *p.Visibility
	}
	if p.Tags != nil {
		a.Tags = p.Tags
	}
}

// Update applies patch when the caller's If-Match version is current.
func (s *Service) Update(ctx context.Context, id AlbumID, ifMatch int, patch Patch) (domain.Album, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return domain.Album{}, err
	}
	if a.Version != ifMatch {
		return domain.Album{}, fmt.Errorf("%w: album is at version %d", domain.ErrConflict, a.Version)
	}
	patch.apply(&a)
	a.Version++
	a.UpdatedAt = time.Now().UTC()
	if err := s.albums.Put(ctx, id, a); err != nil { // EXPECT kvrace
		return domain.Album{}, err
	}
	return a, nil
}

// SoftDelete replaces the album with a tombstone that keeps its identity
// for thirty days, after which the sweeper removes it.
func (s *Service) SoftDelete(ctx context.Context, owner string, id AlbumID) error {
	now := time.Now().UTC()
	tomb := domain.Album{
		ID:         string(id),
		OwnerID:    owner,
		Slug:       "deleted-" + strings.ToLower(string(id)[4:]),
		Title:      "deleted",
		Visibility: domain.VisibilityPrivate,
		DeletedAt:  &now,
		UpdatedAt:  now,
	}
	return s.albums.Put(ctx, id, tomb, storage.PutOptions{TTL: 30 * 24 * time.Hour})
}

// AddPhoto appends a photo to the album's ordering.
func (s *Service) AddPhoto(ctx context.Context, id AlbumID, photoID string) error {
	idx, found, err := s.photos.Lookup(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		idx = domain.PhotoIndex{AlbumID: string(id)}
	}
	for _, have := range idx.PhotoIDs {
		if have == photoID {
			return nil
		}
	}
	idx.PhotoIDs = append(idx.PhotoIDs, photoID)
	return s.photos.Put(ctx, id, idx) // EXPECT kvrace
}

// RefreshCover makes the newest landscape photo the album cover. photos are
// ordered oldest first.
func (s *Service) RefreshCover(ctx context.Context, id AlbumID, photos []domain.Photo) error {
	for _, p := range photos {
		if !p.Landscape() {
			continue
		}
		if err := s.covers.Put(ctx, id, p.ID); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ListPage is one page of an owner's albums.
type ListPage struct {
	IDs    []AlbumID
	Cursor string
	Done   bool
}

// ListForOwner returns one page of album IDs and the cursor to continue.
func (s *Service) ListForOwner(ctx context.Context, owner, cursor string, limit int) (ListPage, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	names, next, done, err := s.owners.Page(ctx, owner+":", cursor, limit)
	out := ListPage{Cursor: next, Done: done}
	for _, n := range names {
		out.IDs = append(out.IDs, AlbumID(strings.TrimPrefix(n, owner+":")))
	}
	return out, err
}

// CountForOwner returns how many albums the owner has, for plan limits.
func (s *Service) CountForOwner(ctx context.Context, owner string) (int, error) {
	names, _, _, err := s.owners.Page(ctx, owner+":", "", 1000) // EXPECT kvlist
	return len(names), err
}

// AllIDs returns every album ID of the owner, for account export.
func (s *Service) AllIDs(ctx context.Context, owner string) ([]AlbumID, error) {
	var ids []AlbumID
	prefix := ownerPrefix + owner + ":"
	err := storage.Walk(ctx, s.raw, prefix, func(k storage.Key) error {
		ids = append(ids, AlbumID(strings.TrimPrefix(k.Name, prefix)))
		return nil
	})
	return ids, err
}

// Photos returns the photo ordering of an album.
func (s *Service) Photos(ctx context.Context, id AlbumID) ([]string, error) {
	idx, _, err := s.photos.Lookup(ctx, id)
	return idx.PhotoIDs, err
}
