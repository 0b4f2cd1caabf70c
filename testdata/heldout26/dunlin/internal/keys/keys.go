// Package keys builds every KV key the backend writes. All keys of an
// environment share the prefix configured at start-up ("prod:", "stg:").
package keys

import (
	"fmt"
	"strconv"
)

// Space builds keys under one environment prefix.
type Space struct {
	prefix string
}

func NewSpace(prefix string) Space { return Space{prefix: prefix} }

func (s Space) key(kind string, parts ...string) string {
	k := s.prefix + kind
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

func (s Space) Lobby(id string) string           { return s.key("lobby", id) }
func (s Space) LobbyPrefix(region string) string { return s.key("lobby", region) + "-" }
func (s Space) LobbyName(name string) string     { return s.key("lobby-name", name) }
func (s Space) Hold(lobbyID string, seat int) string {
	return s.key("hold", lobbyID, strconv.Itoa(seat))
}
func (s Space) Countdown(lobbyID string) string  { return s.key("countdown", lobbyID) }
func (s Space) ReadyCheck(lobbyID string) string { return s.key("ready", lobbyID) }
func (s Space) MatchmakingPulse() string         { return s.key("mm", "pulse") }

func (s Space) Session(id string) string           { return s.key("sess", id) }
func (s Space) Refresh(id string) string           { return s.key("refresh", id) }
func (s Space) Handoff(id string) string           { return s.key("handoff", id) }
func (s Space) LoginAttempts(player string) string { return s.key("attempts", player) }

func (s Space) Nonce(id string) string       { return s.key("nonce", id) }
func (s Space) Strikes(player string) string { return s.key("strikes", player) }
func (s Space) Replay(digest string) string  { return s.key("replay", digest) }

func (s Space) Board(season string) string        { return s.key("board", season) }
func (s Space) Feed(season string) string         { return s.key("feed", season) }
func (s Space) Best(season, player string) string { return s.key("best", season, player) }
func (s Space) BestPrefix(season string) string   { return s.key("best", season) + ":" }
func (s Space) Snapshot(season string) string     { return s.key("snapshot", season) }
func (s Space) Shard(season string, n int) string {
	return s.key("snapshot", season, fmt.Sprintf("%03d", n))
}

func (s Space) Streak(player string) string { return s.key("streak", player) }
func (s Space) Receipt(id string) string    { return s.key("receipt", id) }

func (s Space) Friends(player string) string  { return s.key("friends", player) }
func (s Space) Invite(to, code string) string { return s.key("invite", to, code) }
func (s Space) InvitePrefix(to string) string { return s.key("invite", to) + ":" }

func (s Space) SeasonCurrent() string          { return s.key("season", "current") }
func (s Space) SeasonAsset(name string) string { return s.key("season-asset", name) }
func (s Space) SeasonArchive(id string) string { return s.key("season-archive", id) }

func (s Space) Player(id string) string    { return s.key("player", id) }
func (s Space) PlayerPrefix() string       { return s.key("player") + ":" }
func (s Space) Note(player string) string  { return s.key("note", player) }
func (s Space) Views(player string) string { return s.key("views", player) }
func (s Space) Ban(player string) string   { return s.key("ban", player) }

func (s Space) Lock(name string) string     { return s.key("lock", name) }
func (s Space) JobState(name string) string { return s.key("job", name) }
func (s Space) RewardEpoch() string         { return s.key("rewards", "epoch") }
func (s Space) Wallet(player string) string { return s.key("wallet", player) }
func (s Space) Revoked(jti string) string   { return s.key("revoked", jti) }
func (s Space) RateLimit(ip string) string  { return s.key("ratelimit", ip) }
