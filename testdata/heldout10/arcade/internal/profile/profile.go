// Package profile stores player profiles and the bits of per-player data the
// client shows on the profile screen.
package profile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/arcade/internal/cache"
	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/repo"
	"example.com/arcade/internal/store"
)

var ErrNoProfile = errors.New("profile: not found")

type Profile struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName"`
	Avatar      string    `json:"avatar"`
	Country     string    `json:"country"`
	XP          int64     `json:"xp"`
	Level       int       `json:"level"`
	CreatedAt   time.Time `json:"createdAt"`
}

type Prefs struct {
	Locale      string `json:"locale"`
	Colorblind  bool   `json:"colorblind"`
	MuteVoice   bool   `json:"muteVoice"`
	Sensitivity int    `json:"sensitivity"`
}

// Card is the aggregate shown on hover; its numbers come from D1.
type Card struct {
	ID      string  `json:"id"`
	Wins    int     `json:"wins"`
	Losses  int     `json:"losses"`
	WinRate float64 `json:"winRate"`
}

// StatsSource is the D1-backed stats reader.
type StatsSource interface {
	Card(ctx context.Context, id string) (Card, error)
}

type Service struct {
	profiles *repo.Repo[Profile]
	kv       store.Store
	cards    *cache.Cache[string, Card]
}

func NewService(s store.Store, stats StatsSource) *Service {
	return &Service{
		profiles: repo.New[Profile](s, keys.Profile),
		kv:       s,
		cards: cache.New(s, func(id string) string { return "card:" + id },
			func(ctx context.Context, id string) (Card, error) { return stats.Card(ctx, id) },
			10*time.Minute),
	}
}

func levelFor(xp int64) int {
	lvl := 1
	for need := int64(1000); xp >= need; need = need * 3 / 2 {
		xp -= need
		lvl++
	}
	return lvl
}

// Create stores a brand-new profile. id comes from the auth provider.
func (s *Service) Create(ctx context.Context, id, name, country string) (Profile, error) {
	p := Profile{ID: id, DisplayName: name, Country: country, Level: 1, CreatedAt: time.Now().UTC()}
	return p, s.profiles.Put(ctx, id, p)
}

func (s *Service) Get(ctx context.Context, id string) (Profile, error) {
	p, found, err := s.profiles.Get(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	if !found {
		return Profile{}, ErrNoProfile
	}
	return p, nil
}

func (s *Service) Rename(ctx context.Context, id, name string) error {
	err := s.profiles.Update(ctx, id, func(p *Profile) error {
		p.DisplayName = name
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoProfile
	}
	return err
}

// AwardXP adds experience after a match and recomputes the level.
func (s *Service) AwardXP(ctx context.Context, id string, xp int64) (Profile, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	p.XP += xp
	p.Level = levelFor(p.XP)
	return p, s.profiles.Put(ctx, id, p) // EXPECT kvcounter|kvrace
}

// RecordView bumps the "profile viewed" number shown to the owner.
func (s *Service) RecordView(ctx context.Context, id string) error {
	key := "profile-views:" + id
	n := 0
	raw, found, err := store.Lookup(ctx, s.kv, key)
	if err != nil {
		return err
	}
	if found {
		n, _ = strconv.Atoi(string(raw))
	}
	return s.kv.Put(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}

// SetRating stores the rating the match service computed.
func (s *Service) SetRating(ctx context.Context, id string, rating int) error {
	return s.kv.Put(ctx, "rating:"+id, []byte(strconv.Itoa(rating)))
}

// SavePrefs writes the client's preferences; unchanged saves are skipped
// because the settings screen autosaves on every toggle.
func (s *Service) SavePrefs(ctx context.Context, id string, p Prefs) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	cur, found, err := store.Lookup(ctx, s.kv, keys.Prefs+id)
	if err != nil {
		return err
	}
	if found && bytes.Equal(cur, b) {
		return nil
	}
	return s.kv.Put(ctx, keys.Prefs+id, b)
}

func (s *Service) Card(ctx context.Context, id string) (Card, error) {
	return s.cards.Get(ctx, id)
}

// Scan visits profiles page by page, at most maxPages pages.
func (s *Service) Scan(ctx context.Context, maxPages int, visit func(Profile) error) error {
	cursor := ""
	for page := 0; page < maxPages; page++ {
		ids, next, err := s.profiles.Page(ctx, cursor, 500)
		if err != nil {
			return fmt.Errorf("profile: scan page %d: %w", page, err)
		}
		for _, id := range ids {
			p, found, err := s.profiles.Get(ctx, id) // EXPECT kvlist
			if err != nil {
				return err
			}
			if !found {
				continue // expired between list and get
			}
			if err := visit(p); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}
