package lobby

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
	"example.com/dunlin/internal/repo"
)

// Store is the storage port of the lobby service.
type Store = kvstore.Store

// Repo is a typed repository of lobby records.
type Repo[T any] = repo.Repo[T]

// Option configures the service.
type Option interface{ apply(*settings) }

type settings struct {
	holdTTL     time.Duration
	browseLimit int
}

type holdOption time.Duration

func (o holdOption) apply(s *settings) { s.holdTTL = time.Duration(o) }

// WithHoldTTL sets how long a reserved seat is kept for a party member.
func WithHoldTTL(d time.Duration) Option { return holdOption(d) }

// Service manages lobbies. Call SetStore before use.
type Service struct {
	st    Store
	ks    keys.Space
	set   settings
	names *Repo[nameClaim]
}

// NewService returns a lobby service for the key space.
func NewService(ks keys.Space, opts ...Option) *Service {
	s := &Service{ks: ks, set: settings{holdTTL: 2 * time.Minute, browseLimit: 50}}
	for _, o := range opts {
		o.apply(&s.set)
	}
	return s
}

func (s *Service) SetStore(st Store) {
	s.st = st
	s.names = repo.New[nameClaim](st, s.ks.LobbyName(""))
}

func (s *Service) browseMeta(l Lobby) kvstore.Option {
	return kvstore.WithMetadata(map[string]any{
		"name":    l.Name,
		"players": len(l.Players),
		"seats":   l.Tier.Seats(),
	})
}

// Create opens a lobby under a unique display name.
func (s *Service) Create(ctx context.Context, host, name string, tier game.Tier, region string) (Lobby, error) {
	sl, err := slug(name)
	if err != nil {
		return Lobby{}, err
	}
	if _, err := s.names.Get(ctx, sl); err == nil {
		return Lobby{}, ErrNameTaken
	} else if !kvstore.IsNotFound(err) {
		return Lobby{}, err
	}
	l := Lobby{ID: newID(region), Name: name, Host: host, Tier: tier, Region: region, Players: []string{host}, CreatedAt: time.Now().UTC()}
	if err := s.names.Put(ctx, sl, nameClaim{LobbyID: l.ID, Host: host}, kvstore.WithTTL(max(tier.TTL(), time.Hour))); err != nil { // EXPECT kvrace
		return Lobby{}, err
	}
	if err := repo.Save(ctx, s.st, entry{l, s.ks}, s.browseMeta(l)); err != nil {
		return Lobby{}, err
	}
	return l, nil
}

func (s *Service) Get(ctx context.Context, id string) (Lobby, error) {
	l, err := repo.Load[Lobby](ctx, s.st, s.ks.Lobby(id))
	if kvstore.IsNotFound(err) {
		return Lobby{}, ErrNotFound
	}
	return l, err
}

// Join adds player to the lobby.
func (s *Service) Join(ctx context.Context, id, player string) (Lobby, error) {
	l, err := s.Get(ctx, id)
	if err != nil {
		return Lobby{}, err
	}
	if l.Full() {
		return Lobby{}, ErrFull
	}
	for _, p := range l.Players {
		if p == player {
			return l, nil
		}
	}
	l.Players = append(l.Players, player)
	if err := repo.Save(ctx, s.st, entry{l, s.ks}, s.browseMeta(l)); err != nil { // EXPECT kvrace
		return Lobby{}, err
	}
	return l, nil
}

// HoldSeats reserves one seat per party member while they load in.
func (s *Service) HoldSeats(ctx context.Context, id string, party []string) error {
	for i := range len(party) {
		if err := s.st.Put(ctx, s.ks.Hold(id, i), []byte(party[i]), kvstore.WithTTL(s.set.holdTTL)); err != nil {
			return fmt.Errorf("lobby: hold seat %d: %w", i, err)
		}
	}
	return nil
}

type countdown struct {
	LobbyID  string    `json:"lobby_id"`
	StartsAt time.Time `json:"starts_at"`
}

// StartCountdown publishes the match start time; the key lives until then.
func (s *Service) StartCountdown(ctx context.Context, id string, startsAt time.Time) error {
	raw, err := json.Marshal(countdown{LobbyID: id, StartsAt: startsAt})
	if err != nil {
		return err
	}
	return s.st.Put(ctx, s.ks.Countdown(id), raw, kvstore.WithTTL(time.Until(startsAt))) // EXPECT kvttl
}

// OpenReadyCheck asks every member to confirm before deadline.
func (s *Service) OpenReadyCheck(ctx context.Context, id string, deadline time.Time) error {
	ttl := max(time.Until(deadline), time.Minute)
	return s.st.Put(ctx, s.ks.ReadyCheck(id), []byte(deadline.UTC().Format(time.RFC3339)), kvstore.WithTTL(ttl))
}

// Browse returns one page of open lobbies in a region.
func (s *Service) Browse(ctx context.Context, region, cursor string) (BrowsePage, error) {
	page, err := s.st.List(ctx, s.ks.LobbyPrefix(region), kvstore.WithLimit(s.set.browseLimit), kvstore.WithCursor(cursor))
	if err != nil {
		return BrowsePage{}, err
	}
	out := BrowsePage{Lobbies: make([]Summary, 0, len(page.Keys))}
	for _, k := range page.Keys {
		out.Lobbies = append(out.Lobbies, Summary{
			ID:      k.Name[len(s.ks.Lobby("")):],
			Name:    metaString(k.Metadata, "name"),
			Players: metaInt(k.Metadata, "players"),
			Seats:   metaInt(k.Metadata, "seats"),
		})
	}
	if !page.Complete {
		out.Next = page.Cursor
	}
	return out, nil
}

func metaString(md map[string]any, name string) string {
	s, _ := md[name].(string)
	return s
}

// metaInt reads a number from JSON-decoded metadata.
func metaInt(md map[string]any, name string) int {
	n, _ := md[name].(float64)
	return int(n)
}
