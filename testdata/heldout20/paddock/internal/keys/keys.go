// Package keys builds the storage keys used across paddock. Every key format
// lives here so that prefixes stay unique across features.
package keys

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Keyer turns the variable parts of a key into the full key.
type Keyer func(parts ...string) string

// Prefixed returns a Keyer that joins escaped parts with ":" after prefix.
func Prefixed(prefix string) Keyer {
	return func(parts ...string) string {
		escaped := make([]string, len(parts))
		for i, p := range parts {
			escaped[i] = url.PathEscape(p)
		}
		return prefix + strings.Join(escaped, ":")
	}
}

// Tree returns a Keyer that nests parts under root using slash separators.
func Tree(root string) Keyer {
	return func(parts ...string) string {
		elems := make([]string, 0, len(parts)+1)
		elems = append(elems, root)
		for _, p := range parts {
			elems = append(elems, url.PathEscape(p))
		}
		return path.Join(elems...)
	}
}

// Well-known key families.
var (
	Lobby        = Prefixed("lobby:")
	LobbyIndex   = Prefixed("lobby-idx:")
	Presence     = Prefixed("presence:")
	Session      = Prefixed("sess:")
	DeviceCode   = Prefixed("devauth:device:")
	UserCode     = Prefixed("devauth:user:")
	LoginAttempt = Prefixed("login-attempts:")
	LoginLock    = Prefixed("login-lock:")
	Inventory    = Tree("inv")
	Thread       = Tree("replay")
	Gamertag     = Prefixed("gamertag:")
	Profile      = Prefixed("profile:")
)

// SeasonScoped formats a season-scoped key such as "lb/S7/board".
func SeasonScoped(season, kind string) string {
	return fmt.Sprintf("lb/%[1]s/%[2]s", url.PathEscape(season), kind)
}

// SeasonEntry is the key of one player's entry on a season board.
func SeasonEntry(season, player string) string {
	return fmt.Sprintf("lb/%[1]s/entry/%[2]s", url.PathEscape(season), url.PathEscape(player))
}

// Comment is the key of a single comment on a replay, sortable by time.
func Comment(replayID string, unixNano int64, nonce string) string {
	return fmt.Sprintf("replay/%[1]s/c/%019[2]d-%[3]s", url.PathEscape(replayID), unixNano, nonce)
}
