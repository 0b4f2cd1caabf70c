// Package sessions holds the records of signed-in players.
package sessions

import "time"

// Player is a player's session, keyed by its ID.
type Player struct {
	ID       string `kv:"p/{ID}"`
	LastSeen time.Time
}
