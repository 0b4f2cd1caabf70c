package httpapi

import (
	"net/http"
	"strconv"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/inventory"
	"example.com/paddock/internal/leaderboard"
	"example.com/paddock/internal/matchmaking"
	"example.com/paddock/internal/replays"
)

type enqueueRequest struct {
	Mode   string   `json:"mode"`
	Region string   `json:"region"`
	Party  []string `json:"party,omitempty"`
	Rating int      `json:"rating"`
}

type commentRequest struct {
	Body  string `json:"body"`
	Frame int    `json:"frame,omitempty"`
}

type gamertagRequest struct {
	Gamertag string `json:"gamertag"`
}

func (s *Server) gameRoutes(mux *http.ServeMux) {
	me := func(r *http.Request) string { return sessionFrom(r.Context()).PlayerID }

	mux.HandleFunc("POST /v1/matchmaking/tickets", s.authed(withBody(http.StatusCreated,
		func(r *http.Request, in enqueueRequest) (matchmaking.Ticket, error) {
			return s.Queue.Enqueue(r.Context(), matchmaking.Ticket{
				Players: append([]string{me(r)}, in.Party...),
				Mode:    in.Mode,
				Region:  in.Region,
				Rating:  in.Rating,
			})
		})))
	mux.HandleFunc("GET /v1/matchmaking/tickets/{id}", s.authed(serve(http.StatusOK,
		func(r *http.Request) (matchmaking.Ticket, error) {
			return s.Queue.Ticket(r.Context(), r.PathValue("id"))
		})))
	mux.HandleFunc("POST /internal/matches", s.internal(withBody(http.StatusNoContent,
		func(r *http.Request, in []matchmaking.Match) (none, error) {
			return none{}, s.Former.Publish(r.Context(), in)
		})))
	mux.HandleFunc("POST /internal/results", s.internal(withBody(http.StatusNoContent,
		func(r *http.Request, in []leaderboard.MatchResult) (none, error) {
			return none{}, s.Publisher.Ingest(r.Context(), in)
		})))

	mux.HandleFunc("GET /v1/players/{player}/inventory", s.self(paged(
		func(r *http.Request, cursor string) ([]inventory.Stack, string, error) {
			return s.Inventory.Page(r.Context(), r.PathValue("player"), cursor)
		})))
	mux.HandleFunc("POST /v1/players/{player}/inventory/{item}/consume", s.self(serve(http.StatusOK,
		func(r *http.Request) (inventory.Stack, error) {
			qty, err := strconv.ParseInt(r.URL.Query().Get("qty"), 10, 64)
			if err != nil || qty <= 0 {
				return inventory.Stack{}, apperr.ErrInvalid
			}
			item := r.PathValue("item")
			left, err := s.Inventory.Consume(r.Context(), r.PathValue("player"), item, inventory.Quantity(qty))
			return inventory.Stack{Item: item, Qty: left}, err
		})))

	mux.HandleFunc("GET /v1/seasons/{season}/top", serve(http.StatusOK,
		func(r *http.Request) ([]leaderboard.Standing, error) {
			return s.Publisher.Top(r.Context(), r.PathValue("season"))
		}))
	mux.HandleFunc("GET /v1/seasons/{season}/around/{player}", serve(http.StatusOK,
		func(r *http.Request) ([]leaderboard.Standing, error) {
			return s.Publisher.Around(r.Context(), r.PathValue("season"), r.PathValue("player"))
		}))
	mux.HandleFunc("GET /v1/seasons/{season}/standings", paged(
		func(r *http.Request, cursor string) ([]leaderboard.Standing, string, error) {
			return s.Board.Standings(r.Context(), r.PathValue("season"), cursor)
		}))

	mux.HandleFunc("GET /v1/replays/{id}", serve(http.StatusOK,
		func(r *http.Request) (map[string]any, error) {
			card, err := s.Cards.For(r.Context(), r.PathValue("id"))
			if err != nil {
				return nil, err
			}
			views, err := s.Threads.RecordView(r.Context(), r.PathValue("id"))
			return map[string]any{"card": card, "views": views}, err
		}))
	mux.HandleFunc("GET /v1/replays/{id}/comments", paged(
		func(r *http.Request, cursor string) ([]replays.CommentView, string, error) {
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			return s.Threads.Page(r.Context(), r.PathValue("id"), cursor, limit)
		}))
	mux.HandleFunc("POST /v1/replays/{id}/comments", s.authed(withBody(http.StatusCreated,
		func(r *http.Request, in commentRequest) (replays.Comment, error) {
			return s.Threads.Post(r.Context(), r.PathValue("id"), me(r), in.Body, in.Frame)
		})))
	mux.HandleFunc("POST /v1/replays/{id}/likes", s.authed(serve(http.StatusOK,
		func(r *http.Request) (int64, error) {
			return s.Threads.Like(r.Context(), r.PathValue("id"), me(r))
		})))

	mux.HandleFunc("GET /v1/profiles/{player}", serve(http.StatusOK, func(r *http.Request) (any, error) {
		return s.Profiles.Get(r.Context(), r.PathValue("player"))
	}))
	mux.HandleFunc("PUT /v1/players/{player}/gamertag", s.self(withBody(http.StatusNoContent,
		func(r *http.Request, in gamertagRequest) (none, error) {
			return none{}, s.Profiles.ClaimGamertag(r.Context(), me(r), in.Gamertag)
		})))
}
