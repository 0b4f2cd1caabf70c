package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/quizfleet/dipper/internal/cfkv"
	"github.com/quizfleet/dipper/internal/events"
	"github.com/quizfleet/dipper/internal/kvkey"
)

const (
	resultsTTL      = 400 * 24 * time.Hour
	totalAnswersKey = "stats/answers-total"
	historyLimit    = 200
)

type projector func(ctx context.Context, ev events.Event) error

var projectors = map[events.Type][]projector{}

func register(t events.Type, p projector) { projectors[t] = append(projectors[t], p) }

func init() {
	register(events.AnswerSubmitted, countAnswer)
	register(events.AnswerScored, appendPlayerHistory)
	register(events.GameFinished, storeResults)
	register(events.GameFinished, recordHostGame)
}

// countAnswer keeps the platform-wide number of answers shown on the
// marketing site.
func countAnswer(ctx context.Context, _ events.Event) error {
	raw, err := cfkv.Get(ctx, cfkv.Analytics(), totalAnswersKey)
	if err != nil && !errors.Is(err, cfkv.ErrNotFound) {
		return err
	}
	n, _ := strconv.ParseInt(string(raw), 10, 64)
	return cfkv.Put(ctx, cfkv.Analytics(), totalAnswersKey, strconv.AppendInt(nil, n+1, 10)) // EXPECT kvcounter|kvhotkey
}

// PlayerHistory is what a player's profile page lists.
type PlayerHistory struct {
	_       struct{}       `kv:"player/{Player}/history"`
	Player  string         `json:"player"`
	Entries []HistoryEntry `json:"entries"`
}

// HistoryEntry is one scored answer.
type HistoryEntry struct {
	Lobby   string    `json:"lobby"`
	Round   int       `json:"round"`
	Points  int       `json:"points"`
	Correct bool      `json:"correct"`
	At      time.Time `json:"at"`
}

func appendPlayerHistory(ctx context.Context, ev events.Event) error {
	var s events.Scored
	if err := ev.Decode(&s); err != nil {
		return err
	}
	h := PlayerHistory{Player: ev.Player}
	key := kvkey.Of(h)
	raw, err := cfkv.Get(ctx, cfkv.Analytics(), key)
	switch {
	case errors.Is(err, cfkv.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &h); err != nil {
			return fmt.Errorf("analytics: %s: %w", key, err)
		}
	}
	h.Entries = append(h.Entries, HistoryEntry{Lobby: ev.Lobby, Round: ev.Round, Points: s.Points, Correct: s.Correct, At: ev.At})
	if len(h.Entries) > historyLimit {
		h.Entries = slices.Clone(h.Entries[len(h.Entries)-historyLimit:])
	}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return cfkv.Put(ctx, cfkv.Analytics(), key, b) // EXPECT kvrace
}

// Results is a finished game as the host's dashboard and exports see it.
type Results struct {
	_        struct{}          `kv:"results/{Host}/{Lobby}"`
	Host     string            `json:"host"`
	Lobby    string            `json:"lobby"`
	Finished time.Time         `json:"finished"`
	Game     events.Finished   `json:"game"`
	Extra    map[string]string `json:"extra,omitempty"`
}

func storeResults(ctx context.Context, ev events.Event) error {
	res := Results{Host: ev.Host, Lobby: ev.Lobby, Finished: ev.At}
	if err := ev.Decode(&res.Game); err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return cfkv.PutTTL(ctx, cfkv.Analytics(), kvkey.Of(res), b, resultsTTL)
}

// HostGames is the host dashboard's list of recent games.
type HostGames struct {
	Games []GameSummary `json:"games"`
}

// GameSummary is one line of HostGames.
type GameSummary struct {
	Lobby   string    `json:"lobby"`
	Quiz    string    `json:"quiz"`
	Players int       `json:"players"`
	Winner  string    `json:"winner"`
	At      time.Time `json:"at"`
}

func recordHostGame(ctx context.Context, ev events.Event) error {
	var fin events.Finished
	if err := ev.Decode(&fin); err != nil {
		return err
	}
	sum := GameSummary{Lobby: ev.Lobby, Quiz: fin.Quiz, Players: len(fin.Standings), At: ev.At}
	if len(fin.Standings) > 0 {
		sum.Winner = fin.Standings[0].Nickname
	}
	return cfkv.Update(ctx, cfkv.Analytics(), "host/"+ev.Host+"/games", func(old []byte) ([]byte, error) {
		var g HostGames
		if old != nil {
			if err := json.Unmarshal(old, &g); err != nil {
				return nil, err
			}
		}
		if slices.ContainsFunc(g.Games, func(s GameSummary) bool { return s.Lobby == sum.Lobby }) {
			return nil, nil
		}
		g.Games = slices.Insert(g.Games, 0, sum)
		g.Games = g.Games[:min(len(g.Games), 50)]
		return json.Marshal(g)
	})
}
