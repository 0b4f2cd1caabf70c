package subscribers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"wryneck/internal/newsletter"
)

// ErrSlugTaken is returned when a list slug is already claimed.
var ErrSlugTaken = errors.New("subscribers: slug taken")

// ListClaim is stored under the slug of a public signup page.
type ListClaim struct {
	ListID  string    `json:"list_id"`
	Owner   string    `json:"owner"`
	Created time.Time `json:"created"`
}

// ClaimSlug reserves a public signup slug for a list.
func (s *Service) ClaimSlug(ctx context.Context, slug, listID, owner string) error {
	key := "listslug:" + slug
	if _, err := s.repo.store.Get(ctx, key); err == nil {
		return ErrSlugTaken
	} else if !errors.Is(err, newsletter.ErrNotFound) {
		return fmt.Errorf("check slug: %w", err)
	}
	b, _ := json.Marshal(ListClaim{ListID: listID, Owner: owner, Created: s.now().UTC()})
	return s.repo.store.Put(ctx, key, b, newsletter.PutOptions{}) // EXPECT kvrace
}

// ResolveSlug returns the list a slug points at.
func (s *Service) ResolveSlug(ctx context.Context, slug string) (*ListClaim, error) {
	raw, err := s.repo.store.Get(ctx, "listslug:"+slug)
	if err != nil {
		return nil, err
	}
	var c ListClaim
	return &c, json.Unmarshal(raw, &c)
}

// RenameSlug points a new slug at the list and retires the old one with a
// redirect record instead of deleting it.
func (s *Service) RenameSlug(ctx context.Context, oldSlug, newSlug string, claim ListClaim) error {
	b, _ := json.Marshal(claim)
	if err := s.repo.store.Put(ctx, "listslug:"+newSlug, b, newsletter.PutOptions{}); err != nil {
		return err
	}
	redirect, _ := json.Marshal(map[string]any{"deleted": true, "moved_to": newSlug})
	ttl := 90 * 24 * time.Hour
	return s.repo.store.Put(ctx, "listslug:"+oldSlug, redirect, newsletter.PutOptions{TTL: &ttl})
}
