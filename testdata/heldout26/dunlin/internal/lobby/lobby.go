// Package lobby runs matchmaking lobbies: creation, joining, seat holds and
// the pre-match countdown.
package lobby

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
)

var (
	ErrNameTaken = errors.New("lobby: name already in use")
	ErrFull      = errors.New("lobby: full")
	ErrNotFound  = errors.New("lobby: not found")
	ErrBadName   = errors.New("lobby: invalid name")
)

// Lobby is the stored form of a lobby.
type Lobby struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Host      string    `json:"host"`
	Tier      game.Tier `json:"tier"`
	Region    string    `json:"region"`
	Players   []string  `json:"players"`
	CreatedAt time.Time `json:"created_at"`
}

func (l Lobby) Full() bool { return len(l.Players) >= l.Tier.Seats() }

// entry pairs a lobby with the key space it is stored in.
type entry struct {
	Lobby
	space keys.Space
}

func (e entry) Key() string        { return e.space.Lobby(e.ID) }
func (e entry) TTL() time.Duration { return e.Tier.TTL() }

type nameClaim struct {
	LobbyID string `json:"lobby_id"`
	Host    string `json:"host"`
}

// Summary is what the lobby browser shows; it is read from key metadata.
type Summary struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Players int    `json:"players"`
	Seats   int    `json:"seats"`
}

// BrowsePage is one page of the lobby browser.
type BrowsePage struct {
	Lobbies []Summary `json:"lobbies"`
	Next    string    `json:"next,omitempty"`
}

func newID(region string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return region + "-" + hex.EncodeToString(b[:])
}

func slug(name string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(name))
	if len(s) < 3 || len(s) > 32 {
		return "", ErrBadName
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, s), nil
}
