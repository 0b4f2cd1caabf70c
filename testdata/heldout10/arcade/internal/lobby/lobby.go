// Package lobby manages pre-game lobbies: create, join, leave, start.
package lobby

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/repo"
	"example.com/arcade/internal/store"
)

var (
	ErrNameTaken = errors.New("lobby: name already taken")
	ErrFull      = errors.New("lobby: full")
	ErrNotFound  = errors.New("lobby: not found")
)

type Lobby struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Host       string    `json:"host"`
	Mode       string    `json:"mode"`
	Players    []string  `json:"players"`
	MaxPlayers int       `json:"maxPlayers"`
	State      string    `json:"state"`
	CreatedAt  time.Time `json:"createdAt"`
}

type Seat struct {
	Player string `json:"player"`
	Team   int    `json:"team"`
	Slot   int    `json:"slot"`
}

type Service struct {
	lobbies *repo.Repo[Lobby]
	names   store.Store
	live    store.Writer
	cfg     config.LobbyConfig
	now     func() time.Time
	newID   func() string
}

type Option func(*Service)

func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }
func WithIDs(gen func() string) Option      { return func(s *Service) { s.newID = gen } }

func NewService(s store.Store, cfg config.LobbyConfig, opts ...Option) *Service {
	svc := &Service{
		lobbies: repo.New[Lobby](s, keys.Lobby, repo.Expire(cfg.IdleTTL)),
		names:   s,
		live:    s,
		cfg:     cfg,
		now:     time.Now,
		newID:   randomID,
	}
	for _, o := range opts {
		o(svc)
	}
	return svc
}

func randomID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func slugify(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '_':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Create opens a lobby with a unique, human readable name.
func (s *Service) Create(ctx context.Context, host, name, mode string) (Lobby, error) {
	slug := slugify(name)
	if slug == "" {
		return Lobby{}, fmt.Errorf("lobby: empty name")
	}
	nameKey := keys.LobbyName + slug
	if _, taken, err := store.Lookup(ctx, s.names, nameKey); err != nil {
		return Lobby{}, fmt.Errorf("lobby: check name: %w", err)
	} else if taken {
		return Lobby{}, ErrNameTaken
	}
	l := Lobby{
		ID:         s.newID(),
		Name:       name,
		Host:       host,
		Mode:       mode,
		Players:    []string{host},
		MaxPlayers: s.cfg.MaxPlayers,
		State:      "open",
		CreatedAt:  s.now().UTC(),
	}
	if err := s.lobbies.Put(ctx, l.ID, l); err != nil {
		return Lobby{}, err
	}
	if err := s.names.Put(ctx, nameKey, []byte(l.ID), store.WithTTL(s.cfg.IdleTTL)); err != nil { // EXPECT kvrace
		return Lobby{}, err
	}
	return l, nil
}

func (s *Service) Get(ctx context.Context, id string) (Lobby, error) {
	l, found, err := s.lobbies.Get(ctx, id)
	if err != nil {
		return Lobby{}, err
	}
	if !found {
		return Lobby{}, ErrNotFound
	}
	return l, nil
}

// Join adds player to the lobby if there is room.
func (s *Service) Join(ctx context.Context, id, player string) (Lobby, error) {
	l, err := s.Get(ctx, id)
	if err != nil {
		return Lobby{}, err
	}
	if slices.Contains(l.Players, player) {
		return l, nil
	}
	if len(l.Players) >= l.MaxPlayers {
		return Lobby{}, ErrFull
	}
	l.Players = append(l.Players, player)
	return l, s.lobbies.Put(ctx, id, l) // EXPECT kvrace
}

// Leave removes player; the host role passes to the next player in line.
func (s *Service) Leave(ctx context.Context, id, player string) (err error) {
	l, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if len(l.Players) == 1 && l.Players[0] == player {
		return s.lobbies.Delete(ctx, id)
	}
	defer func() {
		if err == nil {
			err = s.lobbies.Put(ctx, id, l) // EXPECT kvrace
		}
	}()
	l.Players = slices.DeleteFunc(l.Players, func(p string) bool { return p == player })
	if l.Host == player {
		l.Host = l.Players[0]
	}
	return nil
}

// Heartbeat records that player is still looking at the lobby screen.
func (s *Service) Heartbeat(ctx context.Context, id, player string) error {
	k := keys.Presence + id + ":" + player
	return s.live.Put(ctx, k, []byte(s.now().UTC().Format(time.RFC3339)), store.WithTTL(s.cfg.PresenceTTL))
}

// Start assigns seats for the players the game server accepted and marks
// the lobby as in-game.
func (s *Service) Start(ctx context.Context, id string, accepted []string, teams int) ([]Seat, error) {
	if teams < 1 {
		teams = 1
	}
	seatsKey := keys.Lobby + id + ":seats"
	seats := make([]Seat, 0, len(accepted))
	for i, p := range accepted {
		seats = append(seats, Seat{Player: p, Team: i % teams, Slot: i / teams})
		b, err := json.Marshal(seats)
		if err != nil {
			return nil, err
		}
		// persist as we go so a crashed start can be resumed from the last seat
		if err := s.live.Put(ctx, seatsKey, b, store.WithTTL(s.cfg.IdleTTL)); err != nil { // EXPECT kvhotkey
			return seats, err
		}
	}
	return seats, nil
}
