// Package profiles stores player profiles and the public profile cards
// derived from them.
package profiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"example.com/foundry/internal/events"
	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

var (
	ErrNoProfile = errors.New("profiles: no such profile")
	ErrConflict  = errors.New("profiles: revision conflict")
)

// Service manages profiles in the profiles namespace.
type Service struct {
	store   kvstore.Store
	cardTTL time.Duration
	log     *slog.Logger
	bg      sync.WaitGroup
}

// New returns a Service. cardTTL is how long public cards are cached.
func New(store kvstore.Store, cardTTL time.Duration, log *slog.Logger) *Service {
	return &Service{store: store, cardTTL: cardTTL, log: log}
}

func profileKey(id string) string { return keys.Join("profile", id) }
func cardKey(id string) string    { return keys.Join("card", id) }

// Register creates a profile for a new player.
func (s *Service) Register(ctx context.Context, name, region string) (Profile, error) {
	p := Profile{PlayerID: keys.NewID(), DisplayName: name, Region: region, Level: 1, Updated: time.Now().UTC()}
	b, err := wrap(p, 1)
	if err != nil {
		return Profile{}, err
	}
	return p, s.store.Put(ctx, profileKey(p.PlayerID), b)
}

// Get loads a profile, writing old schemas back upgraded in the background.
func (s *Service) Get(ctx context.Context, id string) (Profile, int64, error) {
	raw, err := s.store.Get(ctx, profileKey(id))
	if err != nil {
		return Profile{}, 0, fmt.Errorf("profiles: load %s: %w", id, err)
	}
	if raw == nil { // EXPECT kvnull
		return Profile{}, 0, ErrNoProfile
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return Profile{}, 0, err
	}
	up, changed, err := upgrade(env)
	if err != nil {
		return Profile{}, 0, err
	}
	if b, err := json.Marshal(up); changed && err == nil {
		bgctx := context.WithoutCancel(ctx)
		s.bg.Go(func() {
			if err := s.store.Put(bgctx, profileKey(id), b); err != nil { // DEBATABLE kvrace
				s.log.Warn("profile upgrade write-back failed", "player", id, "err", err)
			}
		})
	}
	var p Profile
	return p, up.Rev, json.Unmarshal(up.Data, &p)
}

// Patch holds the fields a player may change.
type Patch struct {
	DisplayName *string  `json:"display_name,omitempty"`
	Title       *string  `json:"title,omitempty"`
	Cosmetics   []string `json:"cosmetics,omitempty"`
}

// Update applies patch if the stored revision still equals rev.
func (s *Service) Update(ctx context.Context, id string, rev int64, patch Patch) (Profile, error) {
	p, cur, err := s.Get(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	if cur != rev {
		return Profile{}, ErrConflict
	}
	if patch.DisplayName != nil {
		p.DisplayName = *patch.DisplayName
	}
	if patch.Title != nil {
		p.Title = *patch.Title
	}
	if patch.Cosmetics != nil {
		p.Cosmetics = patch.Cosmetics
	}
	p.Updated = time.Now().UTC()
	b, err := wrap(p, cur+1)
	if err != nil {
		return Profile{}, err
	}
	if err := s.store.Put(ctx, profileKey(id), b); err != nil { // EXPECT kvrace
		return Profile{}, err
	}
	return p, s.store.Delete(ctx, cardKey(id))
}

// Card is the public, cacheable view of a profile.
type Card struct {
	PlayerID    string `json:"player_id"`
	DisplayName string `json:"display_name"`
	Level       int    `json:"level"`
	Title       string `json:"title,omitempty"`
}

// Card returns the public card, cached for cardTTL.
func (s *Service) Card(ctx context.Context, id string) (Card, error) {
	var c Card
	raw, err := s.store.Get(ctx, cardKey(id))
	if err == nil && json.Unmarshal(raw, &c) == nil {
		return c, nil
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		s.log.Warn("card cache read failed", "player", id, "err", err)
	}
	p, _, err := s.Get(ctx, id)
	if err != nil {
		return Card{}, err
	}
	c = Card{PlayerID: p.PlayerID, DisplayName: p.DisplayName, Level: p.Level, Title: p.Title}
	b, _ := json.Marshal(c)
	if err := s.store.Put(ctx, cardKey(id), b, kvstore.WithTTL(s.cardTTL)); err != nil {
		s.log.Warn("card cache write failed", "player", id, "err", err)
	}
	return c, nil
}

// OnMatchFinished records each participant's most recent match.
func (s *Service) OnMatchFinished(ctx context.Context, ev events.MatchFinished) error {
	var errs []error
	for _, pid := range ev.Players {
		k := keys.Join("last-match", pid)
		errs = append(errs, s.store.Put(ctx, k, []byte(ev.MatchID), kvstore.WithTTL(30*24*time.Hour)))
	}
	return errors.Join(errs...)
}

// Export streams every stored profile ID to fn.
func (s *Service) Export(ctx context.Context, fn func(id string) error) error {
	q := kvstore.ListQuery{Prefix: "profile/", Limit: 500}
	for pages := 0; pages < 400; pages++ {
		page, err := s.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			return nil
		}
		for _, k := range page.Keys {
			if err := fn(strings.TrimPrefix(k.Name, q.Prefix)); err != nil {
				return err
			}
		}
		q.Cursor = page.Cursor
	}
	return errors.New("profiles: export exceeded page budget")
}

// Wait blocks until background writes have finished.
func (s *Service) Wait() { s.bg.Wait() }
