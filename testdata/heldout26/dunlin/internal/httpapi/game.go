package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/kvstore"
	"example.com/dunlin/internal/session"
)

func (s *Server) lobbies(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if !requireMethod(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if r.Method == http.MethodGet {
		region := r.URL.Query().Get("region")
		if region == "" {
			region = sess.Region
		}
		page, err := s.svc.Lobbies.Browse(r.Context(), region, r.URL.Query().Get("cursor"))
		reply(w, http.StatusOK, page, err)
		return
	}
	var req struct {
		Name string `json:"name"`
		Tier string `json:"tier"`
	}
	if err := decode(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	tier, ok := game.ParseTier(req.Tier)
	if !ok {
		writeErr(w, http.StatusBadRequest, errors.New("unknown tier"))
		return
	}
	l, err := s.svc.Lobbies.Create(r.Context(), sess.Player, req.Name, tier, sess.Region)
	reply(w, http.StatusCreated, l, err)
}

func (s *Server) joinLobby(w http.ResponseWriter, r *http.Request, sess session.Session) {
	var req struct {
		Lobby string   `json:"lobby"`
		Party []string `json:"party"`
	}
	if !bind(w, r, http.MethodPost, &req) {
		return
	}
	l, err := s.svc.Lobbies.Join(r.Context(), req.Lobby, sess.Player)
	if err == nil && len(req.Party) > 0 {
		if herr := s.svc.Lobbies.HoldSeats(r.Context(), l.ID, req.Party); herr != nil {
			s.logger.Printf("hold seats in %s: %v", l.ID, herr)
		}
	}
	reply(w, http.StatusOK, l, err)
}

// startMatch is called by the host when everyone is in: it publishes the
// start time and opens the ready check.
func (s *Server) startMatch(w http.ResponseWriter, r *http.Request, sess session.Session) {
	var req struct {
		Lobby   string `json:"lobby"`
		Seconds int    `json:"seconds"`
	}
	if !bind(w, r, http.MethodPost, &req) {
		return
	}
	l, err := s.svc.Lobbies.Get(r.Context(), req.Lobby)
	if err == nil && l.Host != sess.Player {
		writeErr(w, http.StatusForbidden, errors.New("only the host can start the match"))
		return
	}
	startsAt := time.Now().Add(time.Duration(req.Seconds) * time.Second)
	if err == nil {
		err = s.svc.Lobbies.StartCountdown(r.Context(), l.ID, startsAt)
	}
	if err == nil {
		err = s.svc.Lobbies.OpenReadyCheck(r.Context(), l.ID, startsAt.Add(-5*time.Second))
	}
	reply(w, http.StatusAccepted, map[string]any{"starts_at": startsAt}, err)
}

func (s *Server) enqueue(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if !requireMethod(w, r, http.MethodPost) {
		return
	}
	tier, ok := game.ParseTier(r.URL.Query().Get("tier"))
	if !ok {
		writeErr(w, http.StatusBadRequest, errors.New("unknown tier"))
		return
	}
	ticket, err := s.svc.Queue.Enqueue(r.Context(), sess.Player, sess.Region, tier)
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, err)
		return
	}
	// The status page shows when matchmaking last saw a player.
	now := strconv.FormatInt(time.Now().Unix(), 10)
	if err := s.svc.Ops.Put(r.Context(), s.svc.Keys.MatchmakingPulse(), []byte(now), kvstore.WithTTL(10*time.Minute)); err != nil { // EXPECT kvhotkey
		s.logger.Printf("matchmaking pulse: %v", err)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"ticket": ticket})
}

func (s *Server) leaderboard(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if !requireMethod(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	season := s.svc.Season.Current().ID
	if r.Method == http.MethodGet {
		top, err := s.svc.Board.Top(r.Context(), season)
		reply(w, http.StatusOK, top, err)
		return
	}
	var req struct {
		Score int64  `json:"score"`
		Nonce string `json:"nonce"`
	}
	if err := decode(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	err := s.svc.Guard.RedeemNonce(r.Context(), req.Nonce, sess.Player)
	if err == nil {
		err = s.svc.Board.Submit(r.Context(), season, sess.Player, req.Score)
	}
	reply(w, http.StatusNoContent, nil, err)
}

func (s *Server) claim(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if requireMethod(w, r, http.MethodPost) {
		rc, err := s.svc.Rewards.Claim(r.Context(), sess.Player)
		reply(w, http.StatusOK, rc, err)
	}
}

func (s *Server) invites(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if !requireMethod(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if r.Method == http.MethodGet {
		page, err := s.svc.Friends.Inbox(r.Context(), sess.Player, r.URL.Query().Get("cursor"))
		reply(w, http.StatusOK, page, err)
		return
	}
	var req struct {
		To string `json:"to"`
	}
	if err := decode(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	inv, err := s.svc.Friends.Send(r.Context(), sess.Player, req.To)
	reply(w, http.StatusCreated, inv, err)
}

func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if requireMethod(w, r, http.MethodPost) {
		err := s.svc.Friends.Accept(r.Context(), sess.Player, r.URL.Query().Get("code"))
		reply(w, http.StatusNoContent, nil, err)
	}
}

func (s *Server) nonce(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if requireMethod(w, r, http.MethodPost) {
		n, err := s.svc.Guard.IssueNonce(r.Context(), sess.Player)
		reply(w, http.StatusOK, map[string]string{"nonce": n}, err)
	}
}

func (s *Server) report(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if !requireMethod(w, r, http.MethodPost) {
		return
	}
	blob, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		writeErr(w, http.StatusRequestEntityTooLarge, err)
		return
	}
	digest, err := s.svc.Guard.StoreReplay(r.Context(), sess.Player, r.URL.Query().Get("match"), blob)
	// Dedicated servers attach their detector verdict to the upload.
	if reason := r.Header.Get("X-Detector-Verdict"); err == nil && reason != "" {
		_, err = s.svc.Guard.Strike(r.Context(), sess.Player, reason)
	}
	reply(w, http.StatusCreated, map[string]string{"replay": digest}, err)
}
