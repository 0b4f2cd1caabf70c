package httpapi

import (
	"net/http"
	"strconv"

	"example.com/paddock/internal/lobby"
	"example.com/paddock/internal/presence"
	"example.com/paddock/internal/store"
)

type lobbyView struct {
	Code       string   `json:"code"`
	Host       string   `json:"host"`
	Mode       string   `json:"mode"`
	Region     string   `json:"region"`
	Players    []string `json:"players"`
	MaxPlayers int      `json:"max_players"`
	Status     string   `json:"status"`
}

func presentLobby(l lobby.Lobby, err error) (lobbyView, error) {
	return lobbyView{
		Code:       l.Code,
		Host:       l.HostID,
		Mode:       l.Mode,
		Region:     l.Region,
		Players:    l.Players,
		MaxPlayers: l.MaxPlayers,
		Status:     string(l.Status),
	}, err
}

type createLobbyRequest struct {
	Mode       string `json:"mode"`
	Region     string `json:"region"`
	MaxPlayers int    `json:"max_players"`
	Code       string `json:"code,omitempty"`
}

func (s *Server) browseLobbies(w http.ResponseWriter, r *http.Request) {
	region := r.URL.Query().Get("region")
	if region == "" {
		region = "global"
	}
	items, next, err := s.Browse.Execute(r.Context(), region, r.URL.Query().Get("cursor"))
	if err != nil {
		fail(w, r, err)
		return
	}
	stamp := []byte(strconv.FormatInt(s.Clock().Unix(), 10))
	if err := s.Store.Put(r.Context(), "lobby-browser:last-seen", stamp, store.WriteOptions{}); err != nil { // EXPECT kvhotkey
		fail(w, r, err)
		return
	}
	page(w, items, next)
}

func (s *Server) lobbyRoutes(mux *http.ServeMux) {
	me := func(r *http.Request) string { return sessionFrom(r.Context()).PlayerID }

	mux.HandleFunc("GET /v1/lobbies", s.authed(s.browseLobbies))
	mux.HandleFunc("POST /v1/lobbies", s.authed(withBody(http.StatusCreated,
		func(r *http.Request, in createLobbyRequest) (lobbyView, error) {
			return presentLobby(s.CreateLobby.Execute(r.Context(), lobby.CreateInput{
				HostID:     me(r),
				Mode:       in.Mode,
				Region:     in.Region,
				MaxPlayers: in.MaxPlayers,
				VanityCode: in.Code,
			}))
		})))
	mux.HandleFunc("POST /v1/lobbies/{code}/join", s.authed(serve(http.StatusOK,
		func(r *http.Request) (lobbyView, error) {
			return presentLobby(s.JoinLobby.Execute(r.Context(), lobby.JoinInput{Code: r.PathValue("code"), PlayerID: me(r)}))
		})))
	mux.HandleFunc("POST /v1/quickjoin/{region}", s.authed(serve(http.StatusOK,
		func(r *http.Request) (lobbyView, error) {
			return presentLobby(s.QuickJoin.Execute(r.Context(), r.PathValue("region"), me(r)))
		})))
	mux.HandleFunc("POST /v1/lobbies/{code}/ready", s.authed(serve(http.StatusAccepted,
		func(r *http.Request) (none, error) {
			return none{}, s.ReadyCheck.Execute(r.Context(), r.PathValue("code"), me(r))
		})))
	mux.HandleFunc("GET /v1/lobbies/{code}/presence", s.authed(serve(http.StatusOK,
		func(r *http.Request) (map[string]presence.Status, error) {
			return s.Roster.Online(r.Context(), r.PathValue("code"))
		})))
}
