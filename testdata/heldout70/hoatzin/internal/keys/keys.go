// Package keys defines the KV key layout. Every key type implements
// encoding.TextMarshaler so the adapter can accept any of them.
package keys

import (
	"encoding"
	"fmt"
	"net/url"
	"strings"
)

// Player addresses a cached player profile.
type Player struct{ ID string }

func (k Player) MarshalText() ([]byte, error) { return []byte("player:" + k.ID), nil }

// Session addresses a login session by its opaque token.
type Session struct{ Token string }

func (k Session) MarshalText() ([]byte, error) {
	if k.Token == "" {
		return nil, fmt.Errorf("keys: empty session token")
	}
	return []byte("sess:" + k.Token), nil
}

// PlayerSession is the per-player index entry of a session, so that all
// sessions of one player can be found with a prefix list.
type PlayerSession struct{ PlayerID, Token string }

func (k PlayerSession) MarshalText() ([]byte, error) {
	return fmt.Appendf(nil, "sess:player:%s:%s", k.PlayerID, k.Token), nil
}

// PlayerSessionPrefix is the list prefix matching every PlayerSession of a player.
func PlayerSessionPrefix(playerID string) string { return "sess:player:" + playerID + ":" }

// Handle reserves a display name.
type Handle struct{ Name string }

func (k Handle) MarshalText() ([]byte, error) {
	return []byte("handle:" + url.PathEscape(strings.ToLower(k.Name))), nil
}

// Ticket is one matchmaking ticket.
type Ticket struct{ Region, ID string }

func (k Ticket) MarshalText() ([]byte, error) {
	return fmt.Appendf(nil, "mm:ticket:%[1]s:%[2]s", k.Region, k.ID), nil
}

// TicketPrefix lists every ticket of a region.
func TicketPrefix(region string) string { return "mm:ticket:" + region + ":" }

// Queue holds the ordered ticket IDs waiting in one region and mode.
type Queue struct{ Region, Mode string }

func (k Queue) MarshalText() ([]byte, error) {
	return fmt.Appendf(nil, "mm:queue:%s:%s", k.Region, k.Mode), nil
}

// Lobby is a lobby record.
type Lobby struct{ ID string }

func (k Lobby) MarshalText() ([]byte, error) { return []byte("lobby:" + k.ID), nil }

// LobbySlug maps a public slug to a lobby ID.
type LobbySlug struct{ Slug string }

func (k LobbySlug) MarshalText() ([]byte, error) { return []byte("lobby:slug:" + k.Slug), nil }

// Board is a season leaderboard.
type Board struct{ Season, Mode string }

func (k Board) MarshalText() ([]byte, error) {
	return fmt.Appendf(nil, "lb:%s:%s", k.Season, k.Mode), nil
}

// Best is one player's best score in a board.
type Best struct {
	Board
	PlayerID string
}

func (k Best) MarshalText() ([]byte, error) {
	b, _ := k.Board.MarshalText()
	return append(b, ":best:"+k.PlayerID...), nil
}

// Streak is the daily reward streak of a player.
type Streak struct{ PlayerID string }

func (k Streak) MarshalText() ([]byte, error) { return []byte("streak:" + k.PlayerID), nil }

// Invite is a friend invite code.
type Invite struct{ Code string }

func (k Invite) MarshalText() ([]byte, error) { return []byte("invite:" + k.Code), nil }

// Friends is the friend list of a player.
type Friends struct{ PlayerID string }

func (k Friends) MarshalText() ([]byte, error) { return []byte("friends:" + k.PlayerID), nil }

// Match mirrors the replicated state of one match.
type Match struct{ ID string }

func (k Match) MarshalText() ([]byte, error) { return []byte("match:" + k.ID), nil }

// Static is a fixed key, for singletons such as feature flags.
type Static string

func (k Static) MarshalText() ([]byte, error) { return []byte(k), nil }

// Compile-time checks that every key type is usable by the adapter.
var (
	_ encoding.TextMarshaler = Player{}
	_ encoding.TextMarshaler = Session{}
	_ encoding.TextMarshaler = PlayerSession{}
	_ encoding.TextMarshaler = Handle{}
	_ encoding.TextMarshaler = Ticket{}
	_ encoding.TextMarshaler = Queue{}
	_ encoding.TextMarshaler = Lobby{}
	_ encoding.TextMarshaler = LobbySlug{}
	_ encoding.TextMarshaler = Board{}
	_ encoding.TextMarshaler = Best{}
	_ encoding.TextMarshaler = Streak{}
	_ encoding.TextMarshaler = Invite{}
	_ encoding.TextMarshaler = Friends{}
	_ encoding.TextMarshaler = Match{}
	_ encoding.TextMarshaler = Static("")
)
