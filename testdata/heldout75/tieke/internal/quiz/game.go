// Package quiz is the tournament simulation: rooms, rounds, players, scores
// and streaks as ECS components, and the systems that advance them.
package quiz

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"tieke/internal/ecs"
	"tieke/internal/kvstore"
)

// Component bits.
const (
	CRoom ecs.Mask = 1 << iota
	CPlayer
	CScore
	CStreak
	CRound
	CSpectators
	CPending
	CConnected
	CHost
)

// Room is the component of a room entity.
type Room struct {
	ID        string
	Slug      string
	Season    string
	HostToken string
	Round     ecs.Entity
	Number    int
	Closed    bool
	Replays   int
}

// Player is the component of a player entity.
type Player struct {
	ID        string
	Nick      string
	Room      ecs.Entity
	SessionID string
	Rejoin    string
	LastSeen  time.Time
}

// Score holds a player's points in the current room.
type Score struct {
	Points   int
	Correct  int
	Answered int
	Delta    int
}

// Streak holds consecutive correct answers.
type Streak struct {
	Current int
	Best    int
}

// Round is the component of the running round of a room.
type Round struct {
	Room     ecs.Entity
	Number   int
	Question string
	Answer   string
	StartsAt time.Time
	EndsAt   time.Time
	Closed   bool
}

// Spectators tracks watchers of a room.
type Spectators struct {
	Count int
	Peak  int
}

// Pending is an answer received from the socket layer and not yet judged.
type Pending struct {
	Choice string
	At     time.Time
}

// Table is a dense component store keyed by entity.
type Table[T any] struct {
	dense []T
	ents  []ecs.Entity
	idx   map[ecs.Entity]int
}

// NewTable returns an empty table.
func NewTable[T any]() *Table[T] { return &Table[T]{idx: make(map[ecs.Entity]int)} }

// Set stores v for e.
func (t *Table[T]) Set(e ecs.Entity, v T) {
	if i, ok := t.idx[e]; ok {
		t.dense[i] = v
		return
	}
	t.idx[e] = len(t.dense)
	t.dense = append(t.dense, v)
	t.ents = append(t.ents, e)
}

// Get returns a pointer into the table, or nil.
func (t *Table[T]) Get(e ecs.Entity) *T {
	if i, ok := t.idx[e]; ok {
		return &t.dense[i]
	}
	return nil
}

// Delete removes e, swapping the last element into its slot.
func (t *Table[T]) Delete(e ecs.Entity) {
	i, ok := t.idx[e]
	if !ok {
		return
	}
	last := len(t.dense) - 1
	t.dense[i], t.ents[i] = t.dense[last], t.ents[last]
	t.idx[t.ents[i]] = i
	t.dense, t.ents = t.dense[:last], t.ents[:last]
	delete(t.idx, e)
}

// Game owns the world, component tables and the KV namespace of one shard.
type Game struct {
	Shard  string
	World  *ecs.World
	Sched  *ecs.Scheduler
	KV     *kvstore.Namespace
	Log    *slog.Logger
	Ctx    context.Context
	Config Config

	Rooms      *Table[Room]
	Players    *Table[Player]
	Scores     *Table[Score]
	Streaks    *Table[Streak]
	Rounds     *Table[Round]
	Spectators *Table[Spectators]
	Pendings   *Table[Pending]

	pending []pendingWrite
	bySlug  map[string]ecs.Entity
}

// Config holds shard tuning read at start-up.
type Config struct {
	TickRate       time.Duration
	CheckpointTTL  time.Duration
	BoardCacheTTL  time.Duration
	SessionTTL     time.Duration
	RoundLength    time.Duration
	MaxRejoins     int
	CheckpointEach int
}

// pendingWrite is a KV write staged during a tick and applied at its end.
type pendingWrite struct {
	key   string
	value []byte
	ttl   time.Duration
}

// New builds a game shard with its systems registered.
func New(ctx context.Context, shard string, ns *kvstore.Namespace, cfg Config, log *slog.Logger) *Game {
	w := ecs.NewWorld()
	g := &Game{
		Shard: shard, World: w, KV: ns, Log: log, Ctx: ctx, Config: cfg,
		Rooms: NewTable[Room](), Players: NewTable[Player](), Scores: NewTable[Score](),
		Streaks: NewTable[Streak](), Rounds: NewTable[Round](), Spectators: NewTable[Spectators](),
		Pendings: NewTable[Pending](), bySlug: make(map[string]ecs.Entity),
	}
	g.Sched = ecs.NewScheduler(w, cfg.TickRate)
	g.Sched.AfterTick = g.flush
	g.registerSystems()
	g.registerHandlers()
	return g
}

// stage records a write for the end-of-tick flush.
func (g *Game) stage(key string, value []byte, ttl time.Duration) {
	g.pending = append(g.pending, pendingWrite{key: key, value: value, ttl: ttl})
}

func roomKey(r *Room) string     { return "room:" + r.ID }
func playerKey(p *Player) string { return "player:" + p.ID }
func boardKey(r *Room) string    { return fmt.Sprintf("leaderboard:%s", r.ID) }
