package venue

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"example.com/sundial/internal/app"
	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
)

// Service implements the venue use cases.
type Service struct {
	st    storage.Store
	repo  *Repo
	clock clock.Clock
}

// NewService returns a Service.
func NewService(st storage.Store, repo *Repo, c clock.Clock) *Service {
	return &Service{st: st, repo: repo, clock: c}
}

// Get returns a venue by slug.
func (s *Service) Get(ctx context.Context, slug string) (Venue, error) {
	return s.repo.Find(ctx, slug)
}

// Register creates a venue for tenant under slug.
func (s *Service) Register(ctx context.Context, tenant string, v Venue) (Venue, error) {
	if !slugRE.MatchString(v.Slug) {
		return Venue{}, ErrBadSlug
	}
	if err := s.claimSlug(ctx, tenant, v.Slug); err != nil {
		return Venue{}, err
	}
	v.Tenant = tenant
	v.UpdatedAt = s.clock.Now()
	if err := s.repo.table.Upsert(ctx, v.Slug, v); err != nil {
		return Venue{}, err
	}
	return v, s.repo.Save(ctx, v.Slug, v)
}

func (s *Service) claimSlug(ctx context.Context, tenant, slug string) error {
	k := keys.Slug(slug).String()
	owner, err := s.st.Get(ctx, k)
	switch {
	case err == nil && string(owner) != tenant:
		return ErrSlugTaken
	case err == nil:
		return nil
	case !storage.IsNotFound(err):
		return err
	}
	return s.st.Put(ctx, k, []byte(tenant), storage.PutOptions{}) // EXPECT kvrace
}

// Capacity returns the sellable capacity of a venue: the operator override
// when one is set, else the seats of the plan.
func (s *Service) Capacity(ctx context.Context, slug string) (int, error) {
	if b, err := s.st.Get(ctx, "capacity:"+slug); err == nil {
		return strconv.Atoi(strings.TrimSpace(string(b)))
	} else if !storage.IsNotFound(err) {
		return 0, err
	}
	v, err := s.repo.Find(ctx, slug)
	if err != nil {
		return 0, err
	}
	return v.Capacity(), nil
}

// SafetyLimit returns the fire-code limit recorded for a venue.
func (s *Service) SafetyLimit(ctx context.Context, slug string) int {
	b, _ := s.st.Get(ctx, "safety-limit:"+slug) // EXPECT kvnull
	n, _ := strconv.Atoi(string(b))
	return n
}

// UpdateSeating is the command that replaces one section of a seating plan.
type UpdateSeating struct {
	Tenant  string
	Slug    string
	Section Section
}

// CommandName implements app.Command.
func (UpdateSeating) CommandName() string { return "venue.update-seating" }

// HandleUpdateSeating runs UpdateSeating inside a unit of work.
func (s *Service) HandleUpdateSeating(ctx context.Context, cmd UpdateSeating) (Venue, error) {
	uow := app.Begin(s.st)
	repo := NewRepo(uow, s.repo.table)
	v, err := repo.Find(ctx, cmd.Slug)
	if err != nil {
		return Venue{}, err
	}
	if v.Tenant != cmd.Tenant {
		return Venue{}, ErrNotFound
	}
	replaced := false
	for i := range v.Sections {
		if v.Sections[i].Name == cmd.Section.Name {
			v.Sections[i] = cmd.Section
			replaced = true
		}
	}
	if !replaced {
		v.Sections = append(v.Sections, cmd.Section)
	}
	v.UpdatedAt = s.clock.Now()
	if err := repo.Save(ctx, v.Slug, v); err != nil { // EXPECT kvrace
		return Venue{}, err
	}
	uow.AfterCommit(func() { _ = s.repo.table.Upsert(context.WithoutCancel(ctx), v.Slug, v) })
	if err := uow.Commit(ctx); err != nil {
		return Venue{}, fmt.Errorf("venue: commit seating: %w", err)
	}
	return v, nil
}

// RegisterCommands wires the venue commands into bus.
func (s *Service) RegisterCommands(bus *app.Bus) {
	app.Register(bus, s.HandleUpdateSeating)
}

// Directory returns one page of the public venue directory.
func (s *Service) Directory(ctx context.Context, cursor string, pageSize int) (Page, error) {
	return s.repo.List(ctx, cursor, pageSize)
}
