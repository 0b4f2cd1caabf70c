// Package keys defines the identifiers used across the trivia service and
// the KV key layout derived from them.
package keys

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// UserID identifies a player account.
type UserID string

// Key is the profile record key.
func (u UserID) Key() string { return "user/" + url.PathEscape(string(u)) }

// SessionsKey is the key of the revocation marker for all of a user's sessions.
func (u UserID) RevokedKey() string { return path.Join("revoked", string(u)) }

// StreakKey holds the player's current winning streak.
func (u UserID) StreakKey() string { return "streak/" + string(u) }

// LobbyID identifies a lobby.
type LobbyID string

// Key is the lobby record key.
func (l LobbyID) Key() string { return "lobby/" + string(l) }

// StateKey holds the in-progress match state of a lobby.
func (l LobbyID) StateKey() string { return "lobby/" + string(l) + "/state" }

// HistoryKey is where finished match lines for the lobby are kept.
func (l LobbyID) HistoryKey() string { return fmt.Sprintf("history/%s", l) }

// SessionID is a random, opaque session identifier.
type SessionID string

// Key is the session record key.
func (s SessionID) Key() string { return "sess/" + string(s) }

// RefreshKey is the key of the refresh token minted with the session.
func (s SessionID) RefreshKey() string { return "sess/" + string(s) + "/refresh" }

// QuestionKey is the key of one question in a bank.
func QuestionKey(bank string, id int) string {
	return fmt.Sprintf("bank/%s/q/%d", url.PathEscape(bank), id)
}

// BankIndexKey is the key of a bank's tag index.
func BankIndexKey(bank, tag string) string {
	return path.Join("bank", bank, "tags", tag)
}

// InviteKey is the key of an invite code.
func InviteKey(code string) string {
	var b strings.Builder
	b.Grow(8 + len(code))
	b.WriteString("invite/")
	b.WriteString(strings.ToUpper(code))
	return b.String()
}

// LobbyNameKey maps a public lobby name to the lobby that claimed it.
func LobbyNameKey(name string) string {
	return "lobbyname/" + url.PathEscape(strings.ToLower(strings.TrimSpace(name)))
}

// LeaderboardKey is the key of a board snapshot for a period.
func LeaderboardKey(board, period string) string {
	return strings.Join([]string{"lb", board, period}, "/")
}

// AttemptKey tracks answer attempts for anti-cheat.
func AttemptKey(user UserID, match LobbyID, question int) string {
	return fmt.Sprintf("attempts/%s/%s/%d", user, match, question)
}

// OAuthStateKey is the key of a pending OAuth state parameter.
func OAuthStateKey(state string) string { return "oauth/state/" + state }

// MagicLinkKey is the key of a one-time sign-in code.
func MagicLinkKey(code string) string { return "magic/" + code }
