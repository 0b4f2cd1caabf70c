package quiz

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"tieke/internal/ecs"
)

// Tick divisors for the default 50 ms step.
const (
	everyTick        = 1
	spectatorEvery   = 100
	seasonBoardEvery = 1200
	reapEvery        = 200
	idleEvery        = 40
)

const (
	revealWindow = 15 * time.Second
	breakBetween = 8 * time.Second
	idleAfter    = 2 * time.Minute
)

func (g *Game) registerSystems() {
	s := g.Sched
	s.Register("answers", everyTick, &answerSystem{g: g})
	s.Every("rounds", everyTick, g.roundTimer)
	s.Register("leaderboard", everyTick, &leaderboardSystem{g: g, top: 10})
	s.Every("spectators", spectatorEvery, g.publishSpectators)
	s.Every("checkpoint", max(g.Config.CheckpointEach, 200), func(w *ecs.World, _ time.Duration) {
		if err := g.SaveCheckpoint(g.Ctx); err != nil {
			g.Log.Warn("checkpoint", "tick", w.Tick, "err", err)
		}
	})
	s.Every("season-board", seasonBoardEvery, g.publishSeasonBoards)
	s.Every("reaper", reapEvery, g.reapRooms)
	s.Every("idle", idleEvery, g.dropIdle)
}

// answerSystem judges pending answers against each room's running round.
type answerSystem struct {
	g *Game
}

func (a *answerSystem) Update(w *ecs.World, _ time.Duration) {
	g := a.g
	w.Query(CRoom, func(re ecs.Entity) {
		room := g.Rooms.Get(re)
		round := g.Rounds.Get(room.Round)
		if round == nil || round.Closed {
			return
		}
		w.Query(CPlayer|CPending, func(pe ecs.Entity) {
			p := g.Players.Get(pe)
			if p.Room != re {
				return
			}
			ans := g.Pendings.Get(pe)
			correct := strings.EqualFold(strings.TrimSpace(ans.Choice), round.Answer)
			left := round.EndsAt.Sub(ans.At)
			points := 0
			if correct {
				points = 500 + int(500*left.Seconds()/g.Config.RoundLength.Seconds())
			}
			w.Emit(AnswerJudged{Player: pe, Room: re, Round: round.Number, Correct: correct, Points: points})
			w.Remove(pe, CPending)
			g.Pendings.Delete(pe)
			last, _ := json.Marshal(map[string]any{"nick": p.Nick, "at": ans.At.Unix(), "round": round.Number})
			if err := g.KV.Put(g.Ctx, roomKey(room)+":last-answer", last, 0); err != nil { // EXPECT kvhotkey
				g.Log.Warn("last-answer", "room", room.ID, "err", err)
			}
		})
	})
}

// roundTimer closes rounds whose time is up and opens the next one after the
// break.
func (g *Game) roundTimer(w *ecs.World, _ time.Duration) {
	w.Query(CRound, func(e ecs.Entity) {
		r := g.Rounds.Get(e)
		room := g.Rooms.Get(r.Room)
		if room == nil {
			return
		}
		switch {
		case !r.Closed && !w.Now.Before(r.EndsAt):
			r.Closed = true
			w.Emit(RoundEnded{Room: r.Room, Round: e, Number: r.Number})
			reveal, _ := json.Marshal(map[string]any{"round": r.Number, "answer": r.Answer})
			g.stage(roomKey(room)+":reveal", reveal, revealWindow) // EXPECT kvttl
		case r.Closed && !room.Closed && w.Now.After(r.EndsAt.Add(breakBetween)):
			q := nextQuestion(room.Number + 1)
			*r = Round{Room: r.Room, Number: room.Number + 1, Question: q.Text, Answer: q.Answer,
				StartsAt: w.Now, EndsAt: w.Now.Add(g.Config.RoundLength)}
			room.Number = r.Number
			state, _ := json.Marshal(map[string]any{"round": r.Number, "question": r.Question, "ends": r.EndsAt.Unix()})
			g.stage(roomKey(room)+":round", state, max(time.Until(r.EndsAt), 5*time.Second)) // EXPECT kvttl
			g.stage(roomKey(room)+":round:"+strconv.Itoa(r.Number), state, g.Config.RoundLength+10*time.Minute)
		}
	})
}

// leaderboardSystem publishes each room's top players.
type leaderboardSystem struct {
	g   *Game
	top int
}

// BoardEntry is one row of a published leaderboard.
type BoardEntry struct {
	Player string `json:"player"`
	Nick   string `json:"nick"`
	Points int    `json:"points"`
	Streak int    `json:"streak"`
}

func (l *leaderboardSystem) Update(w *ecs.World, _ time.Duration) {
	g := l.g
	w.Query(CRoom, func(re ecs.Entity) {
		room := g.Rooms.Get(re)
		rows := g.roomBoard(re)
		if len(rows) > l.top {
			rows = rows[:l.top]
		}
		body, _ := json.Marshal(rows)
		if err := g.KV.PutCache(g.Ctx, boardKey(room), body, g.Config.BoardCacheTTL); err != nil { // EXPECT kvhotkey
			g.Log.Warn("leaderboard", "room", room.ID, "err", err)
		}
	})
}

func (g *Game) roomBoard(re ecs.Entity) []BoardEntry {
	var rows []BoardEntry
	g.World.Query(CPlayer|CScore, func(pe ecs.Entity) {
		p := g.Players.Get(pe)
		if p.Room != re {
			return
		}
		row := BoardEntry{Player: p.ID, Nick: p.Nick, Points: g.Scores.Get(pe).Points}
		if st := g.Streaks.Get(pe); st != nil {
			row.Streak = st.Best
		}
		rows = append(rows, row)
	})
	sort.Slice(rows, func(i, j int) bool { return rows[i].Points > rows[j].Points })
	return rows
}

// publishSpectators mirrors each room's watcher count for the edge.
func (g *Game) publishSpectators(w *ecs.World, _ time.Duration) {
	w.Query(CRoom|CSpectators, func(e ecs.Entity) {
		room, sp := g.Rooms.Get(e), g.Spectators.Get(e)
		sp.Peak = max(sp.Peak, sp.Count)
		err := g.KV.Put(g.Ctx, roomKey(room)+":spectator-count", []byte(strconv.Itoa(sp.Count)), 0) // EXPECT kvcounter
		if err != nil {
			g.Log.Warn("spectators", "room", room.ID, "err", err)
		}
	})
}

// publishSeasonBoards writes one merged board per season present on the shard.
func (g *Game) publishSeasonBoards(w *ecs.World, _ time.Duration) {
	bySeason := map[string][]BoardEntry{}
	w.Query(CRoom, func(re ecs.Entity) {
		room := g.Rooms.Get(re)
		bySeason[room.Season] = append(bySeason[room.Season], g.roomBoard(re)...)
	})
	for season, rows := range bySeason {
		sort.Slice(rows, func(i, j int) bool { return rows[i].Points > rows[j].Points })
		body, _ := json.Marshal(rows[:min(len(rows), 50)])
		if err := g.KV.PutCache(g.Ctx, "season:"+season+":shard:"+g.Shard, body, 10*time.Second); err != nil {
			g.Log.Warn("season board", "season", season, "err", err)
		}
	}
}

// dropIdle disconnects players that have not been seen for a while.
func (g *Game) dropIdle(w *ecs.World, _ time.Duration) {
	w.Query(CPlayer|CConnected, func(e ecs.Entity) {
		if p := g.Players.Get(e); w.Now.Sub(p.LastSeen) > idleAfter {
			w.Remove(e, CConnected)
			w.Emit(PlayerLeft{Player: e, Reason: "idle"})
		}
	})
}

// reapRooms removes closed rooms with nobody left and their KV keys.
func (g *Game) reapRooms(w *ecs.World, _ time.Duration) {
	w.Query(CRoom, func(re ecs.Entity) {
		room := g.Rooms.Get(re)
		if !room.Closed || g.playersIn(re) > 0 {
			return
		}
		prefix := roomKey(room) + ":"
		w.Commands().Push("reap "+room.ID, func(ctx context.Context, w *ecs.World) error {
			var doomed []string
			cursor := ""
			for page := 0; page < 5; page++ {
				keys, next, err := g.KV.ListPage(ctx, prefix, cursor, 1000)
				if err != nil {
					return err
				}
				for _, k := range keys {
					doomed = append(doomed, k.Name)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			return g.KV.BulkDelete(ctx, doomed)
		})
		w.Commands().Despawn(re)
		delete(g.bySlug, room.Slug)
	})
}

func (g *Game) playersIn(re ecs.Entity) int {
	n := 0
	g.World.Query(CPlayer|CConnected, func(pe ecs.Entity) {
		if g.Players.Get(pe).Room == re {
			n++
		}
	})
	return n
}
