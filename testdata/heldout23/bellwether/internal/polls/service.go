package polls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/ttlpolicy"
)

// Service is the poll use-case layer.
type Service struct {
	repo  *Repo
	store kvstore.Store
	w     kvstore.Writer
	keys  KeyPolicy
	now   func() time.Time
	ids   func() string
}

// WithKeyPolicy overrides where slugs and documents live.
func WithKeyPolicy(k KeyPolicy) kvstore.Option[Service] {
	return func(s *Service) { s.keys = k }
}

// WithClock overrides time.Now.
func WithClock(now func() time.Time) kvstore.Option[Service] {
	return func(s *Service) { s.now = now }
}

// NewService returns a Service over r.
func NewService(r *Repo, opts ...kvstore.Option[Service]) *Service {
	s := kvstore.Apply(Service{
		repo:  r,
		store: r.Store(),
		keys:  FlatKeys{},
		now:   time.Now,
		ids:   newID,
	}, opts...)
	s.w = kvstore.NewWriter(s.store)
	return &s
}

// Create stores a new draft poll and reserves its slug.
func (s *Service) Create(ctx context.Context, p Poll) (Poll, error) {
	if err := p.Validate(); err != nil {
		return Poll{}, err
	}
	p.ID = s.ids()
	p.Status = StatusDraft
	p.CreatedAt = s.now().UTC()
	for i := range p.Choices {
		if p.Choices[i].ID == "" {
			p.Choices[i].ID = fmt.Sprintf("c%d", i+1)
		}
	}
	if err := s.claimSlug(ctx, p.Slug, p.ID); err != nil {
		return Poll{}, err
	}
	if err := s.repo.Save(ctx, p.ID, p); err != nil {
		return Poll{}, err
	}
	return p, nil
}

func (s *Service) claimSlug(ctx context.Context, slug, id string) error {
	key := s.keys.SlugKey(slug)
	_, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		return ErrSlugTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.store.Put(ctx, key, []byte(id)) // EXPECT kvrace
}

// Get finds a poll by id.
func (s *Service) Get(ctx context.Context, id string) (Poll, error) {
	p, ok, err := s.repo.Find(ctx, id)
	if err != nil {
		return Poll{}, err
	}
	if !ok {
		return Poll{}, ErrNotFound
	}
	return p, nil
}

// Retag adds and removes tags.
func (s *Service) Retag(ctx context.Context, id string, add, remove []string) error {
	key := s.repo.Key(id)
	mutate := func(fn func(*Poll)) error {
		raw, err := s.store.Get(ctx, key)
		if err != nil {
			return err
		}
		var p Poll
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		fn(&p)
		out, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return s.store.Put(ctx, key, out) // EXPECT kvrace
	}
	return mutate(func(p *Poll) {
		p.Tags = slices.DeleteFunc(p.Tags, func(t string) bool { return slices.Contains(remove, t) })
		for _, t := range add {
			if !slices.Contains(p.Tags, t) {
				p.Tags = append(p.Tags, t)
			}
		}
		slices.Sort(p.Tags)
	})
}

// Open makes a draft poll live between opens and closes.
func (s *Service) Open(ctx context.Context, id string, opens, closes time.Time) (Poll, error) {
	if !closes.After(opens) {
		return Poll{}, errors.New("polls: closes must be after opens")
	}
	p, err := s.repo.Update(ctx, id, func(p *Poll) error {
		if p.ID == "" {
			return ErrNotFound
		}
		p.Status, p.OpensAt, p.ClosesAt = StatusOpen, opens.UTC(), closes.UTC()
		return nil
	})
	if err != nil {
		return Poll{}, err
	}
	return p, s.Publish(ctx, p)
}

// Document is what the edge Worker serves for an embed.
type Document struct {
	ID       string   `json:"id"`
	Slug     string   `json:"slug"`
	Question string   `json:"question"`
	Choices  []Choice `json:"choices"`
	ClosesAt int64    `json:"closes_at"`
}

func render(p Poll) Document {
	return Document{ID: p.ID, Slug: p.Slug, Question: p.Question, Choices: p.Choices, ClosesAt: p.ClosesAt.Unix()}
}

// Publish writes the rendered document for the edge, expiring when the
// poll closes.
func (s *Service) Publish(ctx context.Context, p Poll) error {
	if !p.Open(s.now()) {
		return ErrClosed
	}
	ttl := time.Until(p.ClosesAt) // EXPECT kvttl
	return s.w.Entry(s.keys.DocKey(p.Slug)).JSON(render(p)).TTL(ttl).Put(ctx)
}

// Republish refreshes the documents of the given open polls, e.g. after a
// template change. Documents never expire sooner than KV allows.
func (s *Service) Republish(ctx context.Context, ps []Poll) error {
	for _, p := range ps {
		if !p.Open(s.now()) {
			continue
		}
		ttl := ttlpolicy.AtLeastFloor(p.ClosesAt.Sub(s.now()))
		if err := s.w.Entry(s.keys.DocKey(p.Slug)).JSON(render(p)).TTL(ttl).Put(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close stops a poll and withdraws its document. The slug stays reserved
// for a grace period so old embeds do not start showing someone else's poll.
func (s *Service) Close(ctx context.Context, id string) error {
	p, err := s.repo.Update(ctx, id, func(p *Poll) error {
		if p.ID == "" {
			return ErrNotFound
		}
		p.Status = StatusClosed
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.store.Delete(ctx, s.keys.DocKey(p.Slug)); err != nil {
		return err
	}
	return s.w.Entry(s.keys.SlugKey(p.Slug)).String(p.ID).TTL(ttlpolicy.SlugGrace).Put(ctx)
}
