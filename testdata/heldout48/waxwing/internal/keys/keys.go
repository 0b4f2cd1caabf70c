// Package keys describes the KV key layout shared by the edge Worker and the
// backend. Every key is a colon-separated path under one of the root keys, so
// that a prefix listing never crosses record kinds.
package keys

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"time"
)

// Key is a colon-separated KV key. Child appends a constant segment; With
// appends an identifier from a player or game server, escaped so that it
// cannot add separators of its own.
type Key string

const sep = ":"

// Root keys.
const (
	Lobbies  Key = "lobby"
	Sessions Key = "sess"
	Invites  Key = "invite"
	Players  Key = "player"
	Matches  Key = "match"
	Board    Key = "board"
	Bans     Key = "ban"
	Seasons  Key = "season"
	Jobs     Key = "job"
	Locks    Key = "lock"
	Hooks    Key = "hook"
	Config   Key = "config"
	Stats    Key = "stats"
	Auth     Key = "auth"
)

func (k Key) Child(seg string) Key { return k + sep + Key(seg) }
func (k Key) With(id string) Key   { return k + sep + Key(url.PathEscape(id)) }
func (k Key) Int(n int) Key        { return k + sep + Key(strconv.Itoa(n)) }
func (k Key) Prefix() string       { return string(k) + sep }
func (k Key) String() string       { return string(k) }

// Day is a date-bucketed key, e.g. "stats:match-count:2025-03-14".
type Day struct {
	Base Key
	At   time.Time
}

func (d Day) String() string { return string(d.Base) + sep + d.At.UTC().Format("2006-01-02") }

// Sharded names one shard of a record spread over several keys.
func Sharded(base Key, shard int) string { return fmt.Sprintf("%s:%d", base, shard) }

// ShardOf picks the shard of id out of n.
func ShardOf(id string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// BoardKey addresses one shard of a season leaderboard for one game mode.
type BoardKey struct {
	Season int
	Mode   string
	Shard  int
}

// SeasonBoard is the parent of every leaderboard key of a season.
func SeasonBoard(season int) Key { return Board.Child("s" + strconv.Itoa(season)) }

func (b BoardKey) String() string { return Sharded(SeasonBoard(b.Season).With(b.Mode), b.Shard) }

// Session is the key of one session; all sessions of a player share the
// prefix Sessions.With(player).Prefix().
func Session(player, id string) Key { return Sessions.With(player).With(id) }
