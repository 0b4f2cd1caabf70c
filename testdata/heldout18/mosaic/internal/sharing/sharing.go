// Package sharing issues, resolves and revokes expiring share links.
package sharing

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

// Token is a share link secret.
type Token string

const (
	linkPrefix  = "share:"
	ownerPrefix = "links-by-owner:"

	// previewLifetime is how long chat-unfurl preview links stay valid.
	previewLifetime = 30 * time.Second
)

// Service manages share links.
type Service struct {
	st    storage.Store
	links *typed.Store[Token, domain.ShareLink]
	ttl   time.Duration
	log   *slog.Logger
}

// NewService returns a share link service over st.
func NewService(st storage.Store, linkTTL time.Duration, log *slog.Logger) *Service {
	return &Service{
		st:    st,
		links: typed.New[Token, domain.ShareLink](st, linkPrefix, storage.PutOptions{}),
		ttl:   linkTTL,
		log:   log,
	}
}

func ownerMarker(owner string, t Token) string { return ownerPrefix + owner + ":" + string(t) }

// Create issues a link to an album, optionally capped at maxViews views.
func (s *Service) Create(ctx context.Context, owner, albumID string, maxViews int) (domain.ShareLink, error) {
	now := time.Now().UTC()
	link := domain.ShareLink{
		Token:     domain.NewToken(),
		OwnerID:   owner,
		AlbumID:   albumID,
		MaxViews:  maxViews,
		CreatedAt: now,
		ExpiresAt: now.Add(s.ttl),
	}
	if err := s.links.Put(ctx, Token(link.Token), link, storage.PutOptions{TTL: s.ttl}); err != nil {
		return domain.ShareLink{}, err
	}
	marker := ownerMarker(owner, Token(link.Token))
	return link, s.st.Put(ctx, marker, []byte(albumID), storage.PutOptions{ExpireAt: link.ExpiresAt})
}

// CreatePreview issues a short-lived link used by chat unfurlers to fetch
// one photo's preview.
func (s *Service) CreatePreview(ctx context.Context, owner, albumID, photoID string) (domain.ShareLink, error) {
	now := time.Now().UTC()
	link := domain.ShareLink{
		Token:     domain.NewToken(),
		OwnerID:   owner,
		AlbumID:   albumID,
		PhotoID:   photoID,
		MaxViews:  3,
		CreatedAt: now,
		ExpiresAt: now.Add(previewLifetime),
	}
	err := s.links.Put(ctx, Token(link.Token), link, storage.PutOptions{
		ExpireAt: time.Now().Add(previewLifetime), // EXPECT kvttl
	})
	return link, err
}

// Resolve returns the link behind token and counts the view when the link
// has a view allowance.
func (s *Service) Resolve(ctx context.Context, token Token) (domain.ShareLink, error) {
	link, ok, err := s.links.Lookup(ctx, token)
	switch {
	case err != nil:
		return domain.ShareLink{}, err
	case !ok:
		return domain.ShareLink{}, domain.ErrNotFound
	case time.Now().After(link.ExpiresAt), link.Exhausted():
		return domain.ShareLink{}, domain.ErrExpired
	case link.MaxViews == 0:
		return link, nil
	}
	link.Views++
	exp := link.ExpiresAt
	if time.Until(exp) < 2*time.Minute {
		exp = time.Now().Add(2 * time.Minute)
	}
	if err := s.links.Put(ctx, token, link, storage.PutOptions{ExpireAt: exp}); err != nil { // EXPECT kvcounter|kvrace
		return domain.ShareLink{}, err
	}
	return link, nil
}

// Reissue mints a new token for an existing link that keeps the remaining
// lifetime of the original, so a leaked URL can be replaced without
// extending access.
func (s *Service) Reissue(ctx context.Context, owner string, token Token) (domain.ShareLink, error) {
	old, ok, err := s.links.Lookup(ctx, token)
	if err != nil {
		return domain.ShareLink{}, err
	}
	if !ok || old.OwnerID != owner {
		return domain.ShareLink{}, domain.ErrNotFound
	}
	remaining := time.Until(old.ExpiresAt)
	fresh := old
	fresh.Token = domain.NewToken()
	fresh.CreatedAt = time.Now().UTC()
	err = s.links.Put(ctx, Token(fresh.Token), fresh, storage.PutOptions{
		TTL: remaining, // EXPECT kvttl
	})
	return fresh, err
}

// Revoke deletes a link. Only the owner may revoke it.
func (s *Service) Revoke(ctx context.Context, owner string, token Token) error {
	link, ok, err := s.links.Lookup(ctx, token)
	if err != nil || !ok {
		return err
	}
	if link.OwnerID != owner {
		return domain.ErrForbidden
	}
	if err := s.links.Delete(ctx, token); err != nil { // EXPECT kvsession
		return err
	}
	return s.st.Delete(ctx, ownerMarker(owner, token))
}

// LinkPage is one page of an owner's links.
type LinkPage struct {
	Links  []domain.ShareLink
	Cursor string
	Done   bool
}

// Active returns one page of the owner's links with their details.
func (s *Service) Active(ctx context.Context, owner, cursor string) (LinkPage, error) {
	prefix := ownerPrefix + owner + ":"
	page, err := s.st.List(ctx, prefix, cursor, 50)
	if err != nil {
		return LinkPage{}, err
	}
	out := LinkPage{Cursor: page.Cursor, Done: page.Done}
	for _, k := range page.Keys {
		t := Token(strings.TrimPrefix(k.Name, prefix))
		link, err := s.links.Get(ctx, t) // EXPECT kvlist
		if storage.IsNotFound(err) {
			continue
		}
		if err != nil {
			return LinkPage{}, fmt.Errorf("sharing: load %s: %w", t, err)
		}
		out.Links = append(out.Links, link)
	}
	return out, nil
}
