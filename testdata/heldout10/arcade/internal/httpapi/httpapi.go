// Package httpapi wires the game services to HTTP routes.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"sort"
	"time"

	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/lobby"
	"example.com/arcade/internal/matchmaking"
	"example.com/arcade/internal/profile"
	"example.com/arcade/internal/progress"
	"example.com/arcade/internal/quota"
	"example.com/arcade/internal/session"
	"example.com/arcade/internal/store"
)

type Deps struct {
	Lobbies     *lobby.Service
	Profiles    *profile.Service
	Sessions    *session.Manager
	Matchmaking *matchmaking.Service
	LobbyQuota  *quota.Daily
	Progress    *progress.Tracker
	KV          store.Store
	PlayerID    func(ctx context.Context) (string, bool) // set by the auth middleware
}

type API struct{ d Deps }

func New(d Deps) *API { return &API{d: d} }

type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Mount registers routes in a stable order.
func Mount(mux *http.ServeMux, routes map[string]http.HandlerFunc, mws ...Middleware) {
	patterns := make([]string, 0, len(routes))
	for p := range routes {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, p := range patterns {
		mux.Handle(p, Chain(routes[p], mws...))
	}
}

var statusOf = map[error]int{
	lobby.ErrNotFound:    http.StatusNotFound,
	profile.ErrNoProfile: http.StatusNotFound,
	lobby.ErrNameTaken:   http.StatusConflict,
	lobby.ErrFull:        http.StatusConflict,
	quota.ErrExhausted:   http.StatusTooManyRequests,
}

func fail(w http.ResponseWriter, err error) {
	for target, status := range statusOf {
		if errors.Is(err, target) {
			http.Error(w, http.StatusText(status), status)
			return
		}
	}
	log.Printf("httpapi: %v", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// call decodes the JSON body into In, runs fn and writes its result.
func call[In any](fn func(r *http.Request, in In) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if r.Method != http.MethodGet && r.ContentLength != 0 {
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, "bad request body", http.StatusBadRequest)
				return
			}
		}
		out, err := fn(r, in)
		if err != nil {
			fail(w, err)
			return
		}
		if out == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}
}

type none struct{}

func (a *API) me(r *http.Request) string {
	id, _ := a.d.PlayerID(r.Context())
	return id
}

// Routes are the routes that require a signed-in player.
func (a *API) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"POST /v1/lobbies": a.createLobby,
		"GET /v1/lobbies":  a.listLobbies,
		"POST /v1/lobbies/{id}/join": call(func(r *http.Request, _ none) (any, error) {
			return a.d.Lobbies.Join(r.Context(), r.PathValue("id"), a.me(r))
		}),
		"POST /v1/lobbies/{id}/leave": call(func(r *http.Request, _ none) (any, error) {
			return nil, a.d.Lobbies.Leave(r.Context(), r.PathValue("id"), a.me(r))
		}),
		"POST /v1/lobbies/{id}/heartbeat": call(func(r *http.Request, _ none) (any, error) {
			return nil, a.d.Lobbies.Heartbeat(r.Context(), r.PathValue("id"), a.me(r))
		}),
		"GET /v1/profiles/{id}": call(a.getProfile),
		"PUT /v1/me/prefs": call(func(r *http.Request, p profile.Prefs) (any, error) {
			return nil, a.d.Profiles.SavePrefs(r.Context(), a.me(r), p)
		}),
		"PUT /v1/me/name": call(func(r *http.Request, in struct{ Name string }) (any, error) {
			return nil, a.d.Profiles.Rename(r.Context(), a.me(r), in.Name)
		}),
		"POST /v1/tickets": call(a.submitTicket),
		"GET /v1/queues/{region}": call(func(r *http.Request, _ none) (any, error) {
			return a.d.Matchmaking.QueueDepth(r.Context(), r.PathValue("region"))
		}),
		"POST /v1/challenges/events": call(a.challengeEvent),
		"POST /v1/logout":            a.logout,
	}
}

// ServerRoutes are called by game servers with a shared secret.
func (a *API) ServerRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{"POST /internal/matches/result": call(a.matchResult)}
}

func (a *API) createLobby(w http.ResponseWriter, r *http.Request) {
	var req struct{ Name, Mode string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ctx, player := r.Context(), a.me(r)
	if _, err := a.d.LobbyQuota.Take(ctx, player); err != nil {
		fail(w, err)
		return
	}
	l, err := a.d.Lobbies.Create(ctx, player, req.Name, req.Mode)
	if err != nil {
		fail(w, err)
		return
	}
	if c, err := r.Cookie("sid"); err == nil {
		if err := a.d.Sessions.AttachLobby(ctx, c.Value, l.ID); err != nil {
			log.Printf("httpapi: attach lobby: %v", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(l)
}

func (a *API) listLobbies(w http.ResponseWriter, r *http.Request) {
	page, err := a.d.KV.List(r.Context(), keys.Lobby, store.After(r.URL.Query().Get("cursor")), store.PageSize(2000)) // EXPECT kvlimits
	if err != nil {
		fail(w, err)
		return
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": page.Keys, "cursor": next})
}

func (a *API) getProfile(r *http.Request, _ none) (any, error) {
	ctx, id := r.Context(), r.PathValue("id")
	p, err := a.d.Profiles.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	card, err := a.d.Profiles.Card(ctx, id)
	if err != nil {
		log.Printf("httpapi: card %s: %v", id, err)
	}
	if a.me(r) != id {
		if err := a.d.Profiles.RecordView(ctx, id); err != nil {
			log.Printf("httpapi: record view: %v", err)
		}
	}
	return map[string]any{"profile": p, "card": card}, nil
}

func (a *API) submitTicket(r *http.Request, req struct {
	ID, Region, Queue string
	Rating            int
}) (any, error) {
	q, err := matchmaking.ParseQueue(req.Queue)
	if err != nil {
		return nil, err
	}
	t := matchmaking.Ticket{ID: req.ID, Player: a.me(r), Region: req.Region, Queue: q, Rating: req.Rating}
	return nil, a.d.Matchmaking.Submit(r.Context(), t)
}

func (a *API) challengeEvent(r *http.Request, req struct {
	Kind, Day, Challenge string
	Score                int
}) (any, error) {
	var ev progress.Event = progress.Attempted{Day: req.Day, Challenge: req.Challenge, Player: a.me(r), Score: req.Score}
	if req.Kind == "complete" {
		ev = progress.Completed{Day: req.Day, Challenge: req.Challenge, Player: a.me(r), Score: req.Score}
	}
	return nil, a.d.Progress.Apply(r.Context(), ev)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("sid"); err == nil {
		if err := a.d.Sessions.Logout(r.Context(), c.Value); err != nil {
			fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

type matchResult struct {
	MatchID  string           `json:"matchId"`
	Winner   string           `json:"winner"`
	XP       map[string]int64 `json:"xp"`
	Ratings  map[string]int   `json:"ratings"`
	Duration time.Duration    `json:"duration"`
}

func (a *API) matchResult(r *http.Request, res matchResult) (any, error) {
	ctx := r.Context()
	for player, xp := range res.XP {
		if _, err := a.d.Profiles.AwardXP(ctx, player, xp); err != nil {
			log.Printf("httpapi: xp for %s: %v", player, err)
		}
		if rating, ok := res.Ratings[player]; ok {
			if err := a.d.Profiles.SetRating(ctx, player, rating); err != nil {
				log.Printf("httpapi: rating for %s: %v", player, err)
			}
		}
	}
	body, _ := json.Marshal(res)
	// the landing page shows the most recent match
	if err := a.d.KV.Put(ctx, "featured:latest-match", body, store.WithTTL(time.Hour)); err != nil { // EXPECT kvhotkey
		log.Printf("httpapi: featured: %v", err)
	}
	return nil, nil
}
