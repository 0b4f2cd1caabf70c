//go:build js && wasm

package edgeapi

import (
	"net/http"
	"time"

	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
	"kittiwake/internal/matchmaking"
	"kittiwake/internal/presence"
	"kittiwake/internal/progress"
	"kittiwake/internal/session"
)

func respond(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		fail(w, err)
		return
	}
	if v == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, v)
}

func createLobby(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var body struct{ Mode, Code string }
	if !decode(w, r, &body) {
		return
	}
	l, err := lobbies.Create(s.PlayerID, body.Mode, s.Region, body.Code)
	if err == nil {
		err = presences.Set(presence.Status{Player: s.PlayerID, State: "in-lobby", LobbyID: l.ID})
	}
	respond(w, http.StatusCreated, l, err)
}

func joinLobby(w http.ResponseWriter, r *http.Request, s *session.Session) {
	l, err := lobbies.Join(r.PathValue("id"), s.PlayerID)
	if err == nil {
		err = lobbies.HoldSeat(l.ID, s.PlayerID)
	}
	if err == nil {
		err = lobbies.CountView(l.ID)
	}
	respond(w, http.StatusOK, l, err)
}

func leaveLobby(w http.ResponseWriter, r *http.Request, s *session.Session) {
	err := lobbies.Leave(r.PathValue("id"), s.PlayerID)
	if err == nil {
		err = presences.SetAway(s.PlayerID)
	}
	respond(w, http.StatusNoContent, nil, err)
}

func readyLobby(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var body struct{ Ready bool }
	if !decode(w, r, &body) {
		return
	}
	respond(w, http.StatusNoContent, nil, lobbies.SetReady(r.PathValue("id"), s.PlayerID, body.Ready))
}

func inviteLobby(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var body struct{ To, Code string }
	if !decode(w, r, &body) {
		return
	}
	id := r.PathValue("id")
	err := lobbies.SendInvite(id, s.PlayerID, body.To)
	if err == nil && body.Code != "" {
		err = lobbies.ShareCode(id, body.Code)
	}
	respond(w, http.StatusAccepted, nil, err)
}

func startLobby(w http.ResponseWriter, r *http.Request, s *session.Session) {
	id := r.PathValue("id")
	l, err := lobbies.Get(id)
	if err == nil && l.Host != s.PlayerID {
		http.Error(w, "only the host can start", http.StatusForbidden)
		return
	}
	if err == nil {
		err = lobbies.StartReadyCheck(id)
	}
	if err == nil {
		err = lobbies.StartCountdown(id)
	}
	respond(w, http.StatusAccepted, nil, err)
}

func browseLobbies(w http.ResponseWriter, r *http.Request) {
	out, err := lobbies.Browse(r.PathValue("mode"))
	respond(w, http.StatusOK, out, err)
}

func browseLobbyPage(w http.ResponseWriter, r *http.Request) {
	out, next, err := lobbies.BrowsePage(r.PathValue("mode"), r.PathValue("region"), r.URL.Query().Get("cursor"))
	respond(w, http.StatusOK, map[string]any{"lobbies": out, "cursor": next}, err)
}

func setPresence(w http.ResponseWriter, r *http.Request, s *session.Session) {
	var st presence.Status
	if !decode(w, r, &st) {
		return
	}
	st.Player = s.PlayerID
	err := presences.Set(st)
	if err == nil {
		// The digest cron rebuilds region summaries only when something changed.
		err = edgekv.Game.PutString(keys.Key("presence", "changed-at"), time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	}
	respond(w, http.StatusNoContent, nil, err)
}

func friendsPresence(w http.ResponseWriter, _ *http.Request, s *session.Session) {
	st, err := presences.Friends(s.PlayerID)
	respond(w, http.StatusOK, st, err)
}

func enqueue(w http.ResponseWriter, r *http.Request, s *session.Session) {
	if t, ok := ticket(w, r, s); ok {
		respond(w, http.StatusAccepted, t, queue.Enqueue(t))
	}
}

// ticket reads the ticket the client holds; the server owns player and region.
func ticket(w http.ResponseWriter, r *http.Request, s *session.Session) (*matchmaking.Ticket, bool) {
	var t matchmaking.Ticket
	if !decode(w, r, &t) {
		return nil, false
	}
	t.Player, t.Region = s.PlayerID, s.Region
	return &t, true
}

func widenSearch(w http.ResponseWriter, r *http.Request, s *session.Session) {
	if t, ok := ticket(w, r, s); ok {
		respond(w, http.StatusOK, t, queue.Widen(t))
	}
}

// requeue puts the player back in the queue after their match fell through.
func requeue(w http.ResponseWriter, r *http.Request, s *session.Session) {
	if t, ok := ticket(w, r, s); ok {
		respond(w, http.StatusAccepted, t, queue.Requeue(t))
	}
}

func cancelSearch(w http.ResponseWriter, r *http.Request, s *session.Session) {
	respond(w, http.StatusNoContent, nil, queue.Cancel(r.URL.Query().Get("mode"), s.Region, s.PlayerID))
}

func questBoard(w http.ResponseWriter, r *http.Request) {
	qs, err := progress.Board(edgekv.Game, r.PathValue("region"))
	respond(w, http.StatusOK, qs, err)
}

func recordObjective(w http.ResponseWriter, r *http.Request, s *session.Session) {
	p, err := progress.Record(edgekv.Game, s.PlayerID, r.PathValue("quest"), r.PathValue("objective"))
	respond(w, http.StatusOK, p, err)
}
