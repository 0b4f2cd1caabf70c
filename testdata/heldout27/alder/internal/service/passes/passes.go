// Package passes sells and redeems day passes.
package passes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/repo"
	"example.com/alder/internal/storage"
)

var (
	// ErrExhausted is returned when a pass has no entries left.
	ErrExhausted = errors.New("passes: no entries left")
	// ErrExpired is returned after a pass's validity ends.
	ErrExpired = errors.New("passes: expired")
)

// usedRetention keeps spent passes for support enquiries.
const usedRetention = 90 * 24 * time.Hour

// Service issues and redeems passes.
type Service struct {
	store storage.Store
	loc   *time.Location
}

// ProvideService builds the pass service.
func ProvideService(st storage.Store, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	return &Service{store: st, loc: loc}
}

// Issue sells a pass with entries valid until the end of the visit day.
func (s *Service) Issue(ctx context.Context, member domain.MemberID, site domain.SiteID, visit time.Time, entries int) (*domain.DayPass, error) {
	id, err := domain.NewToken(10)
	if err != nil {
		return nil, err
	}
	p := &domain.DayPass{
		ID:         domain.PassID(id),
		Member:     member,
		Site:       site,
		UsesLeft:   entries,
		ValidUntil: domain.EndOfDay(visit, s.loc),
	}
	if err := repo.Save(ctx, s.store, p, storage.PutOptions{Expiration: p.ValidUntil.UnixMilli()}); err != nil { // EXPECT kvttl
		return nil, fmt.Errorf("passes: issue: %w", err)
	}
	return p, nil
}

// Redeem uses one entry of the pass.
func (s *Service) Redeem(ctx context.Context, id domain.PassID) (*domain.DayPass, error) {
	p, err := repo.Load[domain.DayPass](ctx, s.store, string(id))
	if err != nil {
		return nil, err
	}
	if !time.Now().Before(p.ValidUntil) {
		return nil, ErrExpired
	}
	if p.UsesLeft <= 0 {
		return nil, ErrExhausted
	}
	p.UsesLeft--
	if err := repo.Save(ctx, s.store, p, storage.PutOptions{Expiration: p.ValidUntil.Unix()}); err != nil { // EXPECT kvcounter
		return nil, err
	}
	if p.UsesLeft == 0 {
		s.archive(ctx, p)
	}
	return p, nil
}

// archive copies a spent pass under its own key for support lookups.
func (s *Service) archive(ctx context.Context, p *domain.DayPass) {
	raw, err := json.Marshal(p)
	if err != nil {
		return
	}
	_ = s.store.Put(context.WithoutCancel(ctx), "pass:used:"+string(p.ID), raw, storage.PutOptions{TTL: usedRetention})
}

type quote struct {
	Member domain.MemberID `json:"member"`
	Site   domain.SiteID   `json:"site"`
	Cents  int64           `json:"cents"`
}

// Quote stores a price so checkout can honour it for two hours.
func (s *Service) Quote(ctx context.Context, member domain.MemberID, site domain.SiteID, cents int64) (string, error) {
	id, err := domain.NewToken(12)
	if err != nil {
		return "", err
	}
	raw, err := json.Marshal(quote{Member: member, Site: site, Cents: cents})
	if err != nil {
		return "", err
	}
	exp := time.Now().Add(2 * time.Hour).Unix()
	if err := s.store.Put(ctx, "quote:"+id, raw, storage.PutOptions{Expiration: exp}); err != nil {
		return "", err
	}
	return id, nil
}
