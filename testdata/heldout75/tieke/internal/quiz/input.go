package quiz

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"tieke/internal/ecs"
	"tieke/internal/kvstore"
)

// Input is something the socket layer asks the world to do. It is applied at
// the start of the next tick.
type Input struct {
	Kind     string // join, answer, leave, rejoin, spectate, replay, handover
	Room     string
	PlayerID string
	Nick     string
	Choice   string
	Token    string
	JoinCode string
	At       time.Time
}

// Inbox buffers inputs between socket goroutines and the tick loop.
type Inbox struct {
	mu  sync.Mutex
	buf []Input
}

// Post queues in.
func (b *Inbox) Post(in Input) {
	b.mu.Lock()
	b.buf = append(b.buf, in)
	b.mu.Unlock()
}

func (b *Inbox) take() []Input {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.buf
	b.buf = nil
	return out
}

// InputSystem applies queued inputs to the world.
type InputSystem struct {
	G     *Game
	Inbox *Inbox
}

// Update implements ecs.System.
func (s *InputSystem) Update(w *ecs.World, _ time.Duration) {
	g := s.G
	for _, in := range s.Inbox.take() {
		re, ok := g.bySlug[in.Room]
		if !ok && in.Kind == "join" {
			re = g.OpenRoom(in.Room, currentSeason(w.Now))
		} else if !ok {
			continue
		}
		switch in.Kind {
		case "join":
			pe := w.Spawn(CPlayer | CScore | CStreak | CConnected)
			g.Players.Set(pe, Player{ID: rand.Text(), Nick: in.Nick, Room: re, LastSeen: w.Now})
			g.Scores.Set(pe, Score{})
			g.Streaks.Set(pe, Streak{})
			w.Emit(PlayerJoined{Player: pe, JoinCode: in.JoinCode})
		case "answer":
			if pe, ok := g.playerByID(in.PlayerID); ok {
				g.Pendings.Set(pe, Pending{Choice: in.Choice, At: in.At})
				w.Add(pe, CPending)
				g.Players.Get(pe).LastSeen = w.Now
			}
		case "leave":
			if pe, ok := g.playerByID(in.PlayerID); ok {
				w.Emit(PlayerLeft{Player: pe, Reason: "left"})
			}
		case "kick":
			if pe, ok := g.playerByID(in.PlayerID); ok {
				w.Emit(PlayerLeft{Player: pe, Reason: "kicked"})
			}
		case "rejoin":
			s.rejoin(w, re, in)
		case "spectate":
			g.Spectators.Get(re).Count++
		case "unspectate":
			if sp := g.Spectators.Get(re); sp.Count > 0 {
				sp.Count--
			}
		case "replay":
			w.Emit(ReplayViewed{Room: re})
		case "handover":
			if pe, ok := g.playerByID(in.PlayerID); ok {
				w.Emit(HostHandover{Room: re, To: pe})
			}
		}
	}
}

type rejoinClaim struct {
	Player string `json:"player"`
	Room   string `json:"room"`
	Round  int    `json:"round"`
}

func (s *InputSystem) rejoin(w *ecs.World, re ecs.Entity, in Input) {
	g := s.G
	raw, err := g.KV.Get(g.Ctx, "rejoin:"+in.Token)
	if errors.Is(err, kvstore.ErrNotFound) {
		return
	}
	if err != nil {
		g.Log.Warn("rejoin lookup", "err", err)
		return
	}
	var claim rejoinClaim
	if err := json.Unmarshal(raw, &claim); err != nil || claim.Room != g.Rooms.Get(re).ID {
		return
	}
	if pe, ok := g.playerByID(claim.Player); ok {
		w.Emit(PlayerRejoined{Player: pe, Token: in.Token, LastRound: claim.Round})
	}
}

func (g *Game) playerByID(id string) (ecs.Entity, bool) {
	var found ecs.Entity
	ok := false
	g.World.Query(CPlayer, func(e ecs.Entity) {
		if !ok && g.Players.Get(e).ID == id {
			found, ok = e, true
		}
	})
	return found, ok
}

// OpenRoom creates a room entity with its first round.
func (g *Game) OpenRoom(slug, season string) ecs.Entity {
	w := g.World
	re := w.Spawn(CRoom | CSpectators)
	q := nextQuestion(1)
	ro := w.Spawn(CRound)
	g.Rounds.Set(ro, Round{Room: re, Number: 1, Question: q.Text, Answer: q.Answer,
		StartsAt: w.Now, EndsAt: w.Now.Add(g.Config.RoundLength)})
	g.Rooms.Set(re, Room{ID: rand.Text()[:12], Slug: slug, Season: season, Round: ro, Number: 1})
	g.Spectators.Set(re, Spectators{})
	g.bySlug[slug] = re
	return re
}

func currentSeason(t time.Time) string { return t.UTC().Format("2006-01") }

// Question is one quiz question.
type Question struct {
	Text   string
	Answer string
}

var questionBank = []Question{
	{"Capital of Finland?", "Helsinki"},
	{"Largest planet?", "Jupiter"},
	{"Chemical symbol for gold?", "Au"},
	{"Year the Berlin Wall fell?", "1989"},
	{"Smallest prime?", "2"},
}

func nextQuestion(n int) Question { return questionBank[(n-1+len(questionBank))%len(questionBank)] }

func sortBoard(rows []BoardEntry) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].Points > rows[j-1].Points; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}
