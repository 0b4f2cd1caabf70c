// Package lobby runs pre-game lobbies and their invite codes.
package lobby

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/samber/lo"

	"github.com/arcadia-games/bushtit/internal/kvstore"
)

// ID identifies a lobby.
type ID string

func (id ID) String() string { return "lobby:" + string(id) }

func (id ID) MarshalText() ([]byte, error) { return []byte(id), nil }

// InviteCode is the six-letter code players type to join.
type InviteCode string

func (c InviteCode) String() string { return "invite:" + strings.ToUpper(string(c)) }

// Lobby is the stored lobby document.
type Lobby struct {
	ID        ID        `json:"id"`
	Host      string    `json:"host"`
	Mode      string    `json:"mode"`
	Region    string    `json:"region"`
	Members   []string  `json:"members"`
	MaxSize   int       `json:"max_size"`
	Private   bool      `json:"private"`
	CreatedAt time.Time `json:"created_at"`
	StartsAt  time.Time `json:"starts_at,omitempty"`
}

// Summary is what lobby browsers show.
type Summary struct {
	ID      ID     `json:"id"`
	Mode    string `json:"mode"`
	Region  string `json:"region"`
	Players int    `json:"players"`
}

const (
	lobbyLifetime  = 2 * time.Hour
	inviteLifetime = 15 * time.Minute
	countdown      = 15 * time.Second
)

var (
	ErrFull      = errors.New("lobby: full")
	ErrNoLobby   = errors.New("lobby: not found")
	ErrCodeInUse = errors.New("lobby: invite code in use")
	ErrBadInvite = errors.New("lobby: invite code not valid")
)

// Service manages lobbies. KV is already namespaced by the caller.
type Service struct {
	KV kvstore.Store
}

type put struct {
	key string
	val []byte
	ttl time.Duration
}

func (s *Service) write(ctx context.Context, p put) error {
	return s.KV.Put(ctx, kvstore.Entry{Key: p.key, Value: p.val, TTL: int(p.ttl / time.Second)})
}

func newCode() InviteCode {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	for i := range len(b) {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return InviteCode(b)
}

// Create opens a lobby and returns it with a fresh invite code.
func (s *Service) Create(ctx context.Context, host, mode, region string, private bool) (*Lobby, InviteCode, error) {
	l := &Lobby{
		ID:        ID(rand.Text()[:12]),
		Host:      host,
		Mode:      mode,
		Region:    region,
		Members:   []string{host},
		MaxSize:   lo.Ternary(mode == "duel", 2, 8),
		Private:   private,
		CreatedAt: time.Now().UTC(),
	}
	if err := kvstore.SaveJSON(ctx, s.KV, fmt.Sprint(l.ID), l, lobbyLifetime); err != nil {
		return nil, "", err
	}
	code := newCode()
	if err := s.write(ctx, put{code.String(), []byte(l.ID), inviteLifetime}); err != nil {
		return nil, "", err
	}
	summary, _ := json.Marshal(Summary{l.ID, l.Mode, l.Region, 1})
	if err := s.write(ctx, put{"latest", summary, lobbyLifetime}); err != nil { // EXPECT kvhotkey
		return nil, "", err
	}
	return l, code, nil
}

// Get loads a lobby.
func (s *Service) Get(ctx context.Context, id ID) (*Lobby, error) {
	var l Lobby
	ok, err := kvstore.LoadJSON(ctx, s.KV, id.String(), &l)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoLobby
	}
	return &l, nil
}

// Join adds player to the lobby, retrying transient KV errors.
func (s *Service) Join(ctx context.Context, id ID, player string) (*Lobby, error) {
	var joined *Lobby
	op := func() error {
		l, err := s.Get(ctx, id)
		if err != nil {
			return backoff.Permanent(err)
		}
		if slices.Contains(l.Members, player) {
			joined = l
			return nil
		}
		if len(l.Members) >= l.MaxSize {
			return backoff.Permanent(ErrFull)
		}
		l.Members = append(l.Members, player)
		joined = l
		return kvstore.SaveJSON(ctx, s.KV, id.String(), l, lobbyLifetime) // EXPECT kvrace
	}
	b := backoff.WithMaxRetries(backoff.NewExponentialBackOff(), 3)
	return joined, backoff.Retry(op, backoff.WithContext(b, ctx))
}

// Leave removes player; the lobby is closed when the host leaves.
func (s *Service) Leave(ctx context.Context, id ID, player string) error {
	l, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if l.Host == player {
		return s.KV.Delete(ctx, id.String())
	}
	remaining := lo.Without(l.Members, player)
	if len(remaining) == len(l.Members) {
		return nil
	}
	l.Members = remaining
	errc := make(chan error, 1)
	go func() {
		errc <- kvstore.SaveJSON(ctx, s.KV, id.String(), l, lobbyLifetime) // EXPECT kvrace
	}()
	return <-errc
}

// StartCountdown records when the match will start; clients poll it.
func (s *Service) StartCountdown(ctx context.Context, id ID) error {
	state := map[string]any{"lobby": id, "starts_at": time.Now().Add(countdown).UTC()}
	return kvstore.SaveJSON(ctx, s.KV, "countdown:"+string(id), state, countdown) // EXPECT kvttl
}

// AnnounceStart publishes the start notice that the edge shows to
// spectators; it is a cache entry with a short life.
func (s *Service) AnnounceStart(ctx context.Context, id ID, server string) error {
	notice := map[string]string{"lobby": string(id), "server": server}
	return kvstore.CacheJSON(ctx, s.KV, "notice:"+string(id), notice, 20*time.Second)
}

// ClaimCode lets a streamer pick a vanity invite code for their lobby.
func (s *Service) ClaimCode(ctx context.Context, id ID, want string) (InviteCode, error) {
	code := InviteCode(want)
	if _, err := s.KV.Get(ctx, code.String()); err == nil {
		return "", ErrCodeInUse
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	return code, s.write(ctx, put{code.String(), []byte(id), lobbyLifetime}) // EXPECT kvrace
}

// Redeem turns an invite code into a lobby membership. Codes are single use.
func (s *Service) Redeem(ctx context.Context, code InviteCode, player string) (*Lobby, error) {
	raw, err := s.KV.Get(ctx, code.String())
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrBadInvite
	}
	if err != nil {
		return nil, err
	}
	if err := s.KV.Delete(ctx, code.String()); err != nil { // DEBATABLE kvsession
		return nil, err
	}
	return s.Join(ctx, ID(raw), player)
}

// Retire closes every lobby in ids, e.g. when a game server drains.
func (s *Service) Retire(ctx context.Context, ids []ID) error {
	var errs []error
	lo.ForEach(ids, func(id ID, _ int) {
		if err := s.KV.Delete(ctx, id.String()); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			errs = append(errs, err)
		}
	})
	return errors.Join(errs...)
}

// Reschedule moves the start of many lobbies at once (tournament delays).
func (s *Service) Reschedule(ctx context.Context, ids []ID, delay time.Duration) error {
	lobbies := lo.FilterMap(ids, func(id ID, _ int) (*Lobby, bool) {
		l, err := s.Get(ctx, id)
		return l, err == nil
	})
	for l := range slices.Values(lobbies) {
		l.StartsAt = l.StartsAt.Add(delay)
		if err := kvstore.SaveJSON(ctx, s.KV, l.ID.String(), l, lobbyLifetime); err != nil { // EXPECT kvrace
			return err
		}
	}
	return nil
}
