//go:build js && wasm

package game

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"whimbrel/internal/events"
	"whimbrel/internal/keys"
)

// Lobby is a room that players join before a match starts.
type Lobby struct {
	ID       keys.LobbyID  `json:"id"`
	Name     string        `json:"name"`
	Host     keys.UserID   `json:"host"`
	Bank     string        `json:"bank"`
	Players  []keys.UserID `json:"players"`
	MaxSize  int           `json:"max_size"`
	StartsAt time.Time     `json:"starts_at"`
	Public   bool          `json:"public"`
}

// MatchState is the progress of a running match.
type MatchState struct {
	Question int                 `json:"question"`
	Answered map[keys.UserID]int `json:"answered"`
	Updated  time.Time           `json:"updated"`
}

type createLobbyRequest struct {
	Name     string    `json:"name"`
	Bank     string    `json:"bank"`
	MaxSize  int       `json:"max_size"`
	StartsAt time.Time `json:"starts_at"`
	Public   bool      `json:"public"`
}

// handleCreateLobby creates a lobby and claims its public name.
func (s *Server) handleCreateLobby() http.HandlerFunc {
	ns := s.raw()
	claimTTL := s.cfg.InviteTTL
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			writeErr(w, http.StatusUnauthorized, "no session")
			return
		}
		var req createLobbyRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || strings.TrimSpace(req.Name) == "" {
			writeErr(w, http.StatusBadRequest, "invalid lobby")
			return
		}
		if req.MaxSize <= 0 || req.MaxSize > 64 {
			req.MaxSize = 12
		}
		lobby := Lobby{
			ID:       keys.LobbyID(newID(8)),
			Name:     req.Name,
			Host:     sess.User,
			Bank:     req.Bank,
			Players:  []keys.UserID{sess.User},
			MaxSize:  req.MaxSize,
			StartsAt: req.StartsAt,
			Public:   req.Public,
		}
		nameKey := keys.LobbyNameKey(req.Name)
		holder, err := ns.GetString(nameKey, nil)
		if err != nil {
			writeErr(w, http.StatusBadGateway, "lookup failed")
			return
		}
		if holder != "<null>" {
			writeErr(w, http.StatusConflict, "name taken")
			return
		}
		if err := ns.PutString(nameKey, string(lobby.ID), &kv.PutOptions{ExpirationTTL: int(claimTTL.Seconds())}); err != nil { // EXPECT kvrace
			writeErr(w, http.StatusBadGateway, "claim failed")
			return
		}
		b, _ := json.Marshal(lobby)
		ttl := time.Until(req.StartsAt) + 2*time.Hour
		if err := ns.PutString(lobby.ID.Key(), string(b), &kv.PutOptions{
			ExpirationTTL: int(ttl.Seconds()), // EXPECT kvttl
		}); err != nil {
			writeErr(w, http.StatusBadGateway, "create failed")
			return
		}
		if req.Public {
			exp := req.StartsAt.Add(-30 * time.Second)
			if until := time.Until(exp); until < time.Minute {
				exp = time.Now().Add(time.Minute)
			}
			_ = ns.PutString("lobby/open/"+string(lobby.ID), lobby.Name, &kv.PutOptions{Expiration: int(exp.Unix())})
		}
		writeJSON(w, http.StatusCreated, lobby)
	}
}

// handleGetLobby returns the lobby record.
func (s *Server) handleGetLobby() http.HandlerFunc {
	ns := s.raw()
	return func(w http.ResponseWriter, r *http.Request) {
		id := keys.LobbyID(r.PathValue("id"))
		raw, err := ns.GetString(id.Key(), nil) // EXPECT kvnull
		if err != nil {
			writeErr(w, http.StatusBadGateway, "lookup failed")
			return
		}
		var lobby Lobby
		if err := json.Unmarshal([]byte(raw), &lobby); err != nil {
			writeErr(w, http.StatusInternalServerError, "corrupt lobby")
			return
		}
		writeJSON(w, http.StatusOK, lobby)
	}
}

// handleJoinLobby adds the caller to the lobby and remembers it in the session.
func (s *Server) handleJoinLobby() http.HandlerFunc {
	lobbyTTL := 6 * time.Hour
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			writeErr(w, http.StatusUnauthorized, "no session")
			return
		}
		id := keys.LobbyID(r.PathValue("id"))
		var lobby Lobby
		if err := s.game.GetJSON(id.Key(), &lobby); err != nil {
			writeErr(w, http.StatusNotFound, "no such lobby")
			return
		}
		for _, p := range lobby.Players {
			if p == sess.User {
				writeJSON(w, http.StatusOK, lobby)
				return
			}
		}
		if len(lobby.Players) >= lobby.MaxSize {
			writeErr(w, http.StatusConflict, "lobby full")
			return
		}
		lobby.Players = append(lobby.Players, sess.User)
		if err := s.game.PutJSON(id.Key(), lobby, lobbyTTL); err != nil { // EXPECT kvrace
			writeErr(w, http.StatusBadGateway, "join failed")
			return
		}
		sess.Lobby = id
		if err := s.sessions.PutJSON(sess.ID.Key(), sess, s.cfg.SessionTTL); err != nil { // EXPECT kvsession
			writeErr(w, http.StatusBadGateway, "session update failed")
			return
		}
		writeJSON(w, http.StatusOK, lobby)
	}
}

// handleOpenLobbies lists the public lobbies that have not started.
func (s *Server) handleOpenLobbies() http.HandlerFunc {
	ns := s.raw()
	const prefix = "lobby/open/"
	return func(w http.ResponseWriter, r *http.Request) {
		res, err := ns.List(&kv.ListOptions{ // EXPECT kvlist
			Prefix: prefix,
			Limit:  2000, // EXPECT kvlimits
		})
		if err != nil {
			writeErr(w, http.StatusBadGateway, "list failed")
			return
		}
		type entry struct {
			ID      string `json:"id"`
			Expires int    `json:"expires"`
		}
		out := make([]entry, 0, len(res.Keys))
		for _, k := range res.Keys {
			out = append(out, entry{ID: strings.TrimPrefix(k.Name, prefix), Expires: k.Expiration})
		}
		writeJSON(w, http.StatusOK, map[string]any{"lobbies": out, "total": len(out)})
	}
}

type answer struct {
	Question int `json:"question"`
	Choice   int `json:"choice"`
}

// handleAnswers records a batch of answers from one player.
func (s *Server) handleAnswers() http.HandlerFunc {
	ns := s.raw()
	attemptTTL := 2 * time.Hour
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			writeErr(w, http.StatusUnauthorized, "no session")
			return
		}
		id := keys.LobbyID(r.PathValue("id"))
		var batch []answer
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil || len(batch) == 0 {
			writeErr(w, http.StatusBadRequest, "invalid answers")
			return
		}
		state := MatchState{Answered: map[keys.UserID]int{}}
		correct := 0
		for _, a := range batch {
			akey := keys.AttemptKey(sess.User, id, a.Question)
			prev, err := ns.GetString(akey, nil)
			if err != nil {
				continue
			}
			tries := 0
			if prev != "<null>" {
				tries, _ = strconv.Atoi(prev)
			}
			if tries >= 3 {
				continue
			}
			_ = ns.PutString(akey, strconv.Itoa(tries+1), &kv.PutOptions{ExpirationTTL: int(attemptTTL.Seconds())}) // EXPECT kvcounter

			q, err := s.questions.GetOrLoad(a.Question, s.loadQuestion)
			ok := err == nil && q.Answer == a.Choice
			if ok {
				correct++
			}
			state.Question = a.Question
			state.Answered[sess.User] = a.Question
			state.Updated = time.Now()
			b, _ := json.Marshal(state)
			_ = ns.PutString(id.StateKey(), string(b), &kv.PutOptions{ExpirationTTL: 6 * 3600}) // EXPECT kvhotkey
			_ = s.bus.Emit(events.AnswerSubmitted, AnswerEvent{Lobby: id, User: sess.User, Question: a.Question, Correct: ok, At: time.Now()})
		}
		writeJSON(w, http.StatusOK, map[string]int{"correct": correct, "submitted": len(batch)})
	}
}

// handleHistory returns the finished matches of a lobby.
func (s *Server) handleHistory() http.HandlerFunc {
	ns := s.raw()
	return func(w http.ResponseWriter, r *http.Request) {
		id := keys.LobbyID(r.PathValue("id"))
		v, err := ns.GetString(id.HistoryKey(), &kv.GetOptions{CacheTTL: 120})
		if err != nil {
			writeErr(w, http.StatusBadGateway, "lookup failed")
			return
		}
		if v == "" { // EXPECT kvnull
			writeJSON(w, http.StatusOK, []string{})
			return
		}
		writeJSON(w, http.StatusOK, strings.Split(v, "\n"))
	}
}
