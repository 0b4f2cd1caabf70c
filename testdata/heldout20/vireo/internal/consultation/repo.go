// Package consultation stores public consultations and their polls, and
// caches the live results shown on consultation pages.
package consultation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var (
	byID   = kvx.Prefixed("consultation:")
	bySlug = kvx.Prefixed("consultation-slug:")
	byWard = kvx.Prefixed("consultation-ward:")
	pollAt = kvx.Prefixed("poll:")
)

// Repo is the consultation repository over the storage port.
type Repo struct {
	Store kvstore.Store
	Clock func() time.Time

	polls sync.Map // poll ID -> domain.Poll; polls are immutable once published
}

// NewRepo returns a repository.
func NewRepo(s kvstore.Store, clock func() time.Time) *Repo {
	return &Repo{Store: s, Clock: clock}
}

// ByID loads a consultation.
func (r *Repo) ByID(ctx context.Context, id string) (domain.Consultation, error) {
	c, err := kvx.GetJSON[domain.Consultation](ctx, r.Store, byID(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return c, fmt.Errorf("consultation %s: %w", id, domain.ErrNotFound)
	}
	return c, err
}

// BySlug resolves a public slug to its consultation.
func (r *Repo) BySlug(ctx context.Context, slug string) (domain.Consultation, error) {
	id, err := r.Store.Get(ctx, bySlug(slug))
	if errors.Is(err, kvstore.ErrNotFound) {
		return domain.Consultation{}, fmt.Errorf("consultation %q: %w", slug, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Consultation{}, err
	}
	return r.ByID(ctx, string(id))
}

// Publish writes a new consultation and its indexes. The ID is minted by the
// caller; slugs are assigned by council staff in the admin tool.
func (r *Repo) Publish(ctx context.Context, c domain.Consultation) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := r.Store.Put(ctx, byID(c.ID), raw, kvstore.WriteOptions{}); err != nil {
		return err
	}
	if err := r.Store.Put(ctx, bySlug(c.Slug), []byte(c.ID), kvstore.WriteOptions{}); err != nil {
		return err
	}
	meta := map[string]string{"title": c.Title, "closes": c.ClosesAt.Format(time.DateOnly)}
	return r.Store.Put(ctx, byWard(c.Ward, c.ID), nil, kvstore.WriteOptions{Metadata: meta})
}

// Close marks a consultation closed on behalf of a council officer.
func (r *Repo) Close(ctx context.Context, id, officer string) error {
	c, err := r.ByID(ctx, id)
	if err != nil {
		return err
	}
	if c.Status == domain.StatusClosed {
		return nil
	}
	c.Status = domain.StatusClosed
	c.UpdatedBy = officer
	if now := r.Clock(); now.Before(c.ClosesAt) {
		c.ClosesAt = now
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return r.Store.Put(ctx, byID(id), raw, kvstore.WriteOptions{}) // EXPECT kvrace
}

// Poll returns a published poll, memoised in process.
func (r *Repo) Poll(ctx context.Context, id string) (domain.Poll, error) {
	if p, ok := r.polls.Load(id); ok {
		return p.(domain.Poll), nil
	}
	p, err := kvx.GetJSON[domain.Poll](ctx, r.Store, pollAt(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return p, fmt.Errorf("poll %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return p, err
	}
	r.polls.Store(id, p)
	return p, nil
}

// SavePoll publishes a poll definition.
func (r *Repo) SavePoll(ctx context.Context, p domain.Poll) error {
	if len(p.Options) < 2 {
		return fmt.Errorf("poll %s needs two options: %w", p.ID, domain.ErrInvalid)
	}
	r.polls.Delete(p.ID)
	return kvx.PutJSON(ctx, r.Store, pollAt(p.ID), p, 0)
}

// Summary is the listing view of a consultation.
type Summary struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Closes string `json:"closes"`
}

// WardPage returns one page of a ward's consultations and the cursor to
// continue from.
func (r *Repo) WardPage(ctx context.Context, ward, cursor string) ([]Summary, string, error) {
	page, err := r.Store.List(ctx, kvstore.ListQuery{Prefix: byWard.Prefix(ward), Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, summaryOf(k))
	}
	return out, page.Cursor, nil
}

func summaryOf(k kvstore.Key) Summary {
	var meta struct {
		Title  string `json:"title"`
		Closes string `json:"closes"`
	}
	_ = json.Unmarshal(k.Metadata, &meta)
	return Summary{ID: k.Name[strings.LastIndexByte(k.Name, ':')+1:], Title: meta.Title, Closes: meta.Closes}
}
