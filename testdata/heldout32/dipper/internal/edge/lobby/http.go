//go:build js && wasm

package lobby

import (
	"crypto/rand"
	"errors"
	"log"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/quizfleet/dipper/internal/edge/journal"
	"github.com/quizfleet/dipper/internal/edge/quiz"
	"github.com/quizfleet/dipper/internal/edge/session"
	"github.com/quizfleet/dipper/internal/edge/store"
	"github.com/quizfleet/dipper/internal/events"
	"github.com/quizfleet/dipper/internal/web"
)

const (
	joinCodeAlphabet  = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	joinCodeLength    = 6
	joinLimit         = 10
	joinWindowSeconds = 30
	recentLobbies     = 20
)

// HostRecent lists the lobbies a host opened most recently, newest first.
type HostRecent struct {
	_       struct{} `kv:"recent/{HostID}"`
	HostID  string   `json:"host_id"`
	Lobbies []string `json:"lobbies"`
}

// Register adds the lobby routes to mux.
func Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /lobbies", web.Handle(create))
	mux.HandleFunc("GET /lobbies/{code}", web.Handle(show))
	mux.HandleFunc("POST /lobbies/{code}/join", web.Handle(join))
	mux.HandleFunc("POST /lobbies/{code}/events/{event}", web.Handle(fire))
	mux.HandleFunc("GET /j/{joincode}", web.Handle(resolveJoinCode))
}

func joinKey(code string) string { return "joincode/" + code }

func create(w http.ResponseWriter, r *http.Request) (any, error) {
	host, err := session.RequireHost(r)
	if err != nil {
		return nil, err
	}
	var body struct {
		QuizID  string `json:"quiz_id"`
		Rounds  int    `json:"rounds"`
		Preview bool   `json:"preview"`
	}
	if err := web.Decode(r, &body); err != nil {
		return nil, err
	}
	load := quiz.Get
	if body.Preview {
		load = quiz.Draft
	}
	q, err := load(r.Context(), body.QuizID)
	if errors.Is(err, quiz.ErrNoQuiz) {
		return nil, web.Fail(http.StatusNotFound, "unknown quiz")
	}
	if err != nil {
		return nil, err
	}
	settings, err := quiz.HostSettings(host.HostID)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	l := &Lobby{
		Code: strings.ToLower(rand.Text()[:12]), HostID: host.HostID, QuizID: q.ID, State: Waiting,
		Rounds: len(q.Questions), RoundLength: q.RoundLength(), Created: now, Updated: now,
	}
	if body.Rounds > 0 {
		l.Rounds = min(body.Rounds, len(q.Questions))
	}
	if q.RoundSeconds == 0 && settings.RoundSeconds > 0 {
		l.RoundLength = time.Duration(settings.RoundSeconds) * time.Second
	}
	if l.JoinCode, err = claimJoinCode(l.Code); err != nil {
		return nil, err
	}
	if err := store.Save(store.Lobbies(), l, lobbyTTL); err != nil {
		return nil, err
	}
	cloudflare.WaitUntil(func() {
		recent := &HostRecent{HostID: host.HostID}
		if _, err := store.Load(store.Lobbies(), recent); err != nil {
			log.Printf("recent lobbies of %s: %v", host.HostID, err)
			return
		}
		recent.Lobbies = slices.Insert(recent.Lobbies, 0, l.Code)
		recent.Lobbies = recent.Lobbies[:min(len(recent.Lobbies), recentLobbies)]
		if err := store.Save(store.Lobbies(), recent, 0); err != nil { // EXPECT kvrace
			log.Printf("recent lobbies of %s: %v", host.HostID, err)
		}
	})
	return web.Created{V: l}, nil
}

// claimJoinCode picks a free join code and points it at the lobby.
func claimJoinCode(lobbyCode string) (string, error) {
	b := make([]byte, joinCodeLength)
	for range 5 {
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = joinCodeAlphabet[int(b[i])%len(joinCodeAlphabet)]
		}
		key := joinKey(string(b))
		existing, err := store.Lobbies().GetString(key, nil)
		if err != nil {
			return "", err
		}
		if existing != store.Null {
			continue
		}
		if err := store.Lobbies().PutString(key, lobbyCode, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(lobbyTTL / time.Second)}); err != nil { // EXPECT kvrace
			return "", err
		}
		return string(b), nil
	}
	return "", errors.New("lobby: no free join code")
}

// resolveJoinCode sends a player who typed a join code to the lobby.
func resolveJoinCode(w http.ResponseWriter, r *http.Request) (any, error) {
	code, found, err := store.Get(store.Lobbies(), joinKey(strings.ToUpper(r.PathValue("joincode"))))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, web.Fail(http.StatusNotFound, "no game with that code")
	}
	return web.Redirect{URL: "/play/" + code, Status: http.StatusFound}, nil
}

func show(w http.ResponseWriter, r *http.Request) (any, error) {
	l, err := Load(r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	cloudflare.WaitUntil(func() { countView(l.Code) })
	return l, nil
}

// countView records a view of the lobby page for the host's dashboard.
func countView(code string) {
	key := "views/" + code
	n := 0
	raw, found, err := store.Get(store.Stats(), key)
	if err != nil {
		return
	}
	if found {
		n, _ = strconv.Atoi(raw)
	}
	if err := store.Stats().PutString(key, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter
		log.Printf("views of %s: %v", code, err)
	}
}

// allowJoin limits join attempts per client IP, which keeps bots from
// guessing their way into private lobbies.
func allowJoin(ip string) error {
	key := "ratelimit/join/" + ip
	raw, err := store.Stats().GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(raw)
	if n >= joinLimit {
		return web.Fail(http.StatusTooManyRequests, "slow down")
	}
	return store.Stats().PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter
		ExpirationTTL: joinWindowSeconds, // EXPECT kvttl
	})
}

func join(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := allowJoin(r.Header.Get("CF-Connecting-IP")); err != nil {
		return nil, err
	}
	p, err := session.CurrentPlayer(r)
	if err != nil {
		return nil, err
	}
	l, err := Load(r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	if l.State != Waiting {
		return nil, web.Fail(http.StatusConflict, "this game has started")
	}
	now := time.Now().UTC()
	ev, err := events.New(events.PlayerJoined, l.Code, now, events.Joined{Nickname: p.Nickname})
	if err != nil {
		return nil, err
	}
	ev.Player = p.ID
	if err := journal.Append(ev); err != nil {
		return nil, err
	}
	if err := store.Stats().PutString("stats/last-join", now.Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		log.Printf("stats/last-join: %v", err)
	}
	return map[string]string{"lobby": l.Code, "player": p.ID}, nil
}

func fire(w http.ResponseWriter, r *http.Request) (any, error) {
	host, err := session.RequireHost(r)
	if err != nil {
		return nil, err
	}
	l, err := Load(r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	if l.HostID != host.HostID {
		return nil, web.Fail(http.StatusForbidden, "not your lobby")
	}
	ev := Event(r.PathValue("event"))
	if ev == "advance" {
		ev = EvNextRound
		if l.Round >= l.Rounds {
			ev = EvLastRound
		}
	}
	l, err = Fire(l.Code, ev, time.Now().UTC())
	if te := (*TransitionError)(nil); errors.As(err, &te) {
		return nil, web.Fail(http.StatusConflict, te.Error())
	}
	return l, err
}
