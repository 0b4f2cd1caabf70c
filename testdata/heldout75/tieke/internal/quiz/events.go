package quiz

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tieke/internal/ecs"
	"tieke/internal/kvstore"
)

// AnswerJudged is raised by the answer system for every judged answer.
type AnswerJudged struct {
	Player  ecs.Entity
	Room    ecs.Entity
	Round   int
	Correct bool
	Points  int
}

// RoundEnded is raised when a round's timer runs out.
type RoundEnded struct {
	Room   ecs.Entity
	Round  ecs.Entity
	Number int
}

// PlayerJoined is raised by Join once the player entity exists.
type PlayerJoined struct {
	Player   ecs.Entity
	JoinCode string
}

// PlayerLeft is raised when a player disconnects, idles out or is kicked.
type PlayerLeft struct {
	Player ecs.Entity
	Reason string
}

// PlayerRejoined is raised when a player returns with a rejoin token.
type PlayerRejoined struct {
	Player    ecs.Entity
	Token     string
	LastRound int
}

// HostHandover moves room control to another player.
type HostHandover struct {
	Room ecs.Entity
	To   ecs.Entity
}

// ReplayViewed is raised by the socket layer when a spectator opens a replay.
type ReplayViewed struct {
	Room ecs.Entity
}

func (g *Game) registerHandlers() {
	bus := g.World.Events()
	ecs.On(bus, g.onScore)
	ecs.On(bus, g.onStreak)
	ecs.On(bus, g.onRoundEnded)
	ecs.On(bus, g.onJoined)
	ecs.On(bus, g.onLeft)
	ecs.On(bus, g.onRejoined)
	ecs.On(bus, g.onHandover)
	ecs.On(bus, g.onReplayViewed)
}

func (g *Game) onScore(w *ecs.World, ev AnswerJudged) {
	sc := g.Scores.Get(ev.Player)
	if sc == nil {
		return
	}
	sc.Answered++
	sc.Delta = ev.Points
	if ev.Correct {
		sc.Correct++
		sc.Points += ev.Points
	}
	p := g.Players.Get(ev.Player)
	g.stage(playerKey(p)+":score", []byte(strconv.Itoa(sc.Points)), 24*time.Hour) // DEBATABLE kvcounter
}

// Record is a player's career record across tournaments.
type Record struct {
	PlayerID   string      `json:"player_id"`
	BestStreak int         `json:"best_streak"`
	Highlights []Highlight `json:"highlights"`
}

// Highlight is one memorable moment in a record.
type Highlight struct {
	Kind  string    `json:"kind"`
	Room  string    `json:"room"`
	Value int       `json:"value"`
	At    time.Time `json:"at"`
}

func (g *Game) onStreak(w *ecs.World, ev AnswerJudged) {
	st := g.Streaks.Get(ev.Player)
	if st == nil {
		return
	}
	if !ev.Correct {
		st.Current = 0
		return
	}
	st.Current++
	if st.Current <= st.Best {
		return
	}
	st.Best = st.Current
	p, room := g.Players.Get(ev.Player), g.Rooms.Get(ev.Room)
	if st.Best%5 != 0 {
		return
	}
	err := g.updateRecord(p.ID, func(rec *Record) {
		rec.BestStreak = max(rec.BestStreak, st.Best)
		rec.Highlights = append(rec.Highlights, Highlight{Kind: "streak", Room: room.ID, Value: st.Best, At: w.Now})
	})
	if err != nil {
		g.Log.Warn("record", "player", p.ID, "err", err)
	}
}

// updateRecord applies change to the stored career record of a player.
func (g *Game) updateRecord(playerID string, change func(*Record)) error {
	key := "record:" + playerID
	var rec Record
	raw, err := g.KV.Get(g.Ctx, key) // EXPECT kvnull
	if err != nil {
		rec = Record{PlayerID: playerID}
	} else if err := json.Unmarshal(raw, &rec); err != nil {
		return err
	}
	change(&rec)
	if n := len(rec.Highlights); n > 20 {
		rec.Highlights = rec.Highlights[n-20:]
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return g.KV.Put(g.Ctx, key, body, 0) // EXPECT kvrace
}

func (g *Game) onRoundEnded(w *ecs.World, ev RoundEnded) {
	room := g.Rooms.Get(ev.Room)
	rows := g.roomBoard(ev.Room)
	if err := g.mergeSeason(room.Season, rows); err != nil {
		g.Log.Warn("season merge", "room", room.ID, "err", err)
	}
	archive, _ := json.Marshal(map[string]any{"room": room.ID, "round": ev.Number, "board": rows})
	key := fmt.Sprintf("archive:%s:%04d", room.ID, ev.Number)
	if err := g.KV.PutUntil(g.Ctx, key, archive, endOfMonth(w.Now).Add(31*24*time.Hour)); err != nil {
		g.Log.Warn("archive", "key", key, "err", err)
	}
	w.Query(CPlayer|CScore, func(pe ecs.Entity) {
		p := g.Players.Get(pe)
		if p.Room != ev.Room {
			return
		}
		res, _ := json.Marshal(map[string]any{"points": g.Scores.Get(pe).Points, "round": ev.Number})
		g.stage(fmt.Sprintf("result:%s:%04d:%s", room.ID, ev.Number, p.ID), res, 30*24*time.Hour)
	})
	if r := g.Rounds.Get(ev.Round); r != nil {
		invite, _ := json.Marshal(map[string]any{"room": room.Slug, "round": ev.Number + 1})
		g.stage(roomKey(room)+":next", invite, max(time.Until(r.EndsAt.Add(breakBetween)), time.Minute))
	}
	summary := fmt.Sprintf("%d:%d", ev.Number, len(rows))
	ctx, roomID := g.Ctx, room.ID
	go func() {
		histKey := "room:" + roomID + ":history"
		var hist []string
		raw, err := g.KV.Get(ctx, histKey)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
		case err != nil:
			return
		default:
			if err := json.Unmarshal(raw, &hist); err != nil {
				return
			}
		}
		hist = append(hist, summary)
		body, _ := json.Marshal(hist)
		_ = g.KV.Put(ctx, histKey, body, 7*24*time.Hour) // EXPECT kvrace
	}()
}

// mergeSeason folds a room's final board into the season's top 100.
func (g *Game) mergeSeason(season string, rows []BoardEntry) error {
	key := "season:" + season + ":board"
	best := map[string]BoardEntry{}
	raw, err := g.KV.Get(g.Ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err == nil {
		var prev []BoardEntry
		if err := json.Unmarshal(raw, &prev); err != nil {
			return err
		}
		for _, r := range prev {
			best[r.Player] = r
		}
	}
	for _, r := range rows {
		if cur, ok := best[r.Player]; !ok || r.Points > cur.Points {
			best[r.Player] = r
		}
	}
	merged := make([]BoardEntry, 0, len(best))
	for _, r := range best {
		merged = append(merged, r)
	}
	sortBoard(merged)
	body, _ := json.Marshal(merged[:min(len(merged), 100)])
	return g.KV.Put(g.Ctx, key, body, 0) // EXPECT kvrace
}

func (g *Game) onJoined(w *ecs.World, ev PlayerJoined) {
	p := g.Players.Get(ev.Player)
	room := g.Rooms.Get(p.Room)
	ctx := g.Ctx

	if ev.JoinCode != "" {
		codeKey := "joincode:" + ev.JoinCode
		roomID, err := g.KV.Get(ctx, codeKey)
		if err != nil || string(roomID) != room.ID {
			w.Emit(PlayerLeft{Player: ev.Player, Reason: "bad-code"})
			return
		}
		if err := g.KV.Delete(ctx, codeKey); err != nil { // EXPECT kvsession
			g.Log.Warn("join code", "err", err)
		}
	}

	nickKey := "nick:" + room.Season + ":" + strings.ToLower(p.Nick)
	if _, err := g.KV.Get(ctx, nickKey); err == nil {
		w.Emit(PlayerLeft{Player: ev.Player, Reason: "nick-taken"})
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		g.Log.Warn("nick lookup", "err", err)
		return
	}
	if err := g.KV.Put(ctx, nickKey, []byte(p.ID), 0); err != nil { // EXPECT kvrace
		g.Log.Warn("nick claim", "err", err)
	}

	p.SessionID = rand.Text()
	sess, _ := json.Marshal(map[string]any{"player": p.ID, "room": room.ID, "nick": p.Nick})
	if err := g.KV.Put(ctx, "sess:"+p.SessionID, sess, g.Config.SessionTTL); err != nil { // DEBATABLE kvsession
		g.Log.Warn("session", "err", err)
	}
	g.issueRejoin(p, room)

	if err := g.addToRoster(room, p); err != nil {
		g.Log.Warn("roster", "room", room.ID, "err", err)
	}

	if r := g.Rounds.Get(room.Round); r != nil && !r.Closed {
		pass := rand.Text()
		body, _ := json.Marshal(map[string]any{"player": p.ID, "round": r.Number})
		_ = g.KV.Put(ctx, "roundpass:"+pass, body, time.Until(r.EndsAt)) // EXPECT kvttl
	}
}

func (g *Game) addToRoster(room *Room, p *Player) error {
	key := roomKey(room) + ":roster"
	raw, err := g.KV.Get(g.Ctx, key)
	if err != nil {
		return err
	}
	var roster []string
	if len(raw) == 0 { // EXPECT kvnull
		roster = make([]string, 0, 8)
	} else if err := json.Unmarshal(raw, &roster); err != nil {
		return err
	}
	roster = append(roster, p.ID)
	body, _ := json.Marshal(roster)
	return g.KV.Put(g.Ctx, key, body, 12*time.Hour) // EXPECT kvrace
}

func (g *Game) onLeft(w *ecs.World, ev PlayerLeft) {
	p := g.Players.Get(ev.Player)
	if p == nil {
		return
	}
	room := g.Rooms.Get(p.Room)
	w.Remove(ev.Player, CConnected)
	if ev.Reason != "kicked" {
		return
	}
	key := roomKey(room) + ":revoked"
	var revoked []string
	if raw, err := g.KV.Get(g.Ctx, key); err == nil {
		_ = json.Unmarshal(raw, &revoked)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		g.Log.Warn("revoked", "err", err)
		return
	}
	revoked = append(revoked, p.Rejoin)
	body, _ := json.Marshal(revoked)
	_ = g.KV.Put(g.Ctx, key, body, 12*time.Hour) // EXPECT kvsession|kvrace
	_ = g.KV.Delete(g.Ctx, "sess:"+p.SessionID)  // EXPECT kvsession
	w.Commands().Despawn(ev.Player)
}

func (g *Game) onRejoined(w *ecs.World, ev PlayerRejoined) {
	p := g.Players.Get(ev.Player)
	room := g.Rooms.Get(p.Room)
	ctx := g.Ctx

	if err := g.KV.Delete(ctx, "rejoin:"+ev.Token); err != nil { // EXPECT kvsession
		g.Log.Warn("rejoin consume", "err", err)
	}

	attemptsKey := "rejoin-attempts:" + p.ID
	n := 0
	if raw, err := g.KV.Get(ctx, attemptsKey); err == nil { // EXPECT kvnull
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= g.Config.MaxRejoins {
		w.Emit(PlayerLeft{Player: ev.Player, Reason: "too-many-rejoins"})
		return
	}
	_ = g.KV.Put(ctx, attemptsKey, []byte(strconv.Itoa(n+1)), time.Hour) // EXPECT kvcounter|kvrace

	for n := ev.LastRound + 1; n <= room.Number; n++ {
		q := nextQuestion(n)
		body, _ := json.Marshal(map[string]any{"round": n, "question": q.Text, "answer": q.Answer})
		_ = g.KV.Put(ctx, playerKey(p)+":resume", body, time.Hour) // EXPECT kvhotkey
	}
	w.Add(ev.Player, CConnected)
	p.LastSeen = w.Now
	g.issueRejoin(p, room)
}

func (g *Game) onHandover(w *ecs.World, ev HostHandover) {
	room := g.Rooms.Get(ev.Room)
	room.HostToken = rand.Text()
	body, _ := json.Marshal(map[string]string{"token": room.HostToken, "player": g.Players.Get(ev.To).ID})
	if err := g.KV.Put(g.Ctx, "host-token:"+room.ID, body, 12*time.Hour); err != nil { // EXPECT kvsession
		g.Log.Warn("handover", "err", err)
	}
	w.Add(ev.To, CHost)
}

func (g *Game) onReplayViewed(w *ecs.World, ev ReplayViewed) {
	room := g.Rooms.Get(ev.Room)
	room.Replays++
	key := fmt.Sprintf("replay:%s:views", room.ID)
	_ = g.KV.Put(g.Ctx, key, []byte(strconv.Itoa(room.Replays)), 0) // EXPECT kvcounter
}

// issueRejoin mints a fresh rejoin token for p.
func (g *Game) issueRejoin(p *Player, room *Room) {
	p.Rejoin = rand.Text()
	body, _ := json.Marshal(map[string]any{"player": p.ID, "room": room.ID, "round": room.Number})
	if err := g.KV.Put(g.Ctx, "rejoin:"+p.Rejoin, body, 10*time.Minute); err != nil {
		g.Log.Warn("rejoin token", "err", err)
	}
}

func endOfMonth(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}
