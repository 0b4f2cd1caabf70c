package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/polls"
	"example.com/wharf/internal/referral"
	"example.com/wharf/internal/storage"
	"example.com/wharf/internal/waitroom"
)

// decode reads a small JSON body into v, reporting a 400 on failure.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(v); err != nil {
		writeError(w, domain.Invalid("body", "malformed JSON"))
		return false
	}
	return true
}

// reply writes v with status, or the error when err is non-nil.
func reply(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	if v == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Referral string `json:"referral,omitempty"`
	}
	if r.ContentLength > 0 && !decode(w, r, &body) {
		return
	}
	drop, visitor := r.PathValue("drop"), visitorOf(r)
	if body.Referral != "" {
		if _, err := s.Referrals.Redeem(r.Context(), body.Referral, visitor); err != nil {
			writeError(w, err)
			return
		}
	}
	in := waitroom.JoinInput{DropID: drop, VisitorID: visitor, ClientIP: r.Header.Get("CF-Connecting-IP")}
	if as, err := s.AB.Assign(r.Context(), "waiting-room:"+drop, visitor); err == nil {
		in.Variant = as.Variant
	}
	out, err := s.Join.Execute(r.Context(), in)
	reply(w, http.StatusCreated, presentTicket(out.Ticket, out.Ahead), err)
}

func (s *Server) handlePosition(w http.ResponseWriter, r *http.Request) {
	view, err := s.Position.Execute(r.Context(), r.PathValue("drop"), r.PathValue("ticket"))
	if err == nil && view.Retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(view.Retry/time.Second)))
	}
	reply(w, http.StatusOK, view, err)
}

func (s *Server) handleAdmit(w http.ResponseWriter, r *http.Request) {
	ctx, drop := r.Context(), r.PathValue("drop")
	head, err := storage.ReadInt[domain.Position](ctx, s.Store, keys.QueueHead(drop), 0)
	if err != nil {
		writeError(w, err)
		return
	}
	ticket, err := waitroom.MarkAdmitted(ctx, s.Store, drop, r.PathValue("ticket"), head, s.Clock())
	if err != nil {
		writeError(w, err)
		return
	}
	tok, err := s.Admission.Issue(ctx, ticket)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", "/checkout/"+tok.Token)
	reply(w, http.StatusCreated, presentToken(tok), nil)
}

func (s *Server) handleCapacity(w http.ResponseWriter, r *http.Request) {
	raw, _ := s.Store.Get(r.Context(), keys.DropCapacity(r.PathValue("drop"))) // EXPECT kvnull
	capacity, _ := strconv.Atoi(string(raw))
	writeJSON(w, http.StatusOK, map[string]any{
		"drop":     r.PathValue("drop"),
		"capacity": capacity,
		"sold_out": capacity == 0,
	})
}

func (s *Server) handleKeepAlive(w http.ResponseWriter, r *http.Request) {
	tok, err := s.Admission.Touch(r.Context(), r.PathValue("token"))
	reply(w, http.StatusOK, presentToken(tok), err)
}

func (s *Server) handleCheckout(w http.ResponseWriter, r *http.Request) {
	tok, err := s.Admission.Redeem(r.Context(), r.PathValue("token"))
	reply(w, http.StatusOK, presentToken(tok), err)
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	reason := cmpOr(r.URL.Query().Get("reason"), "operator")
	reply(w, http.StatusNoContent, nil, s.Admission.Revoke(r.Context(), r.PathValue("token"), reason))
}

func (s *Server) handleHeartbeat(w http.ResponseWriter, r *http.Request) {
	err := s.Presence.Heartbeat(r.Context(), r.PathValue("room"), visitorOf(r), r.UserAgent())
	reply(w, http.StatusNoContent, nil, err)
}

func (s *Server) handleLobbyDetails(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := s.Presence.Details(r.Context(), r.PathValue("room"), r.URL.Query().Get("cursor"), limit)
	reply(w, http.StatusOK, page, err)
}

func (s *Server) handleVote(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Option string `json:"option"`
	}
	if !decode(w, r, &body) {
		return
	}
	out, err := s.Vote.Execute(r.Context(), polls.CastVoteInput{
		PollID:    r.PathValue("poll"),
		VisitorID: visitorOf(r),
		Option:    body.Option,
	})
	reply(w, http.StatusCreated, out.Ballot, err)
}

func (s *Server) handleResults(w http.ResponseWriter, r *http.Request) {
	poll, tally, err := s.Results.Execute(r.Context(), r.PathValue("poll"))
	w.Header().Set("Cache-Control", "public, max-age=10")
	reply(w, http.StatusOK, polls.Present(poll, tally), err)
}

func (s *Server) handleClaim(w http.ResponseWriter, r *http.Request) {
	var in referral.ClaimInput
	if !decode(w, r, &in) {
		return
	}
	in.Owner = visitorOf(r)
	rc, err := s.Referrals.Claim(r.Context(), in)
	reply(w, http.StatusCreated, rc, err)
}

func (s *Server) handleRedeem(w http.ResponseWriter, r *http.Request) {
	rc, err := s.Referrals.Redeem(r.Context(), r.PathValue("code"), visitorOf(r))
	reply(w, http.StatusOK, rc, err)
}

func (s *Server) handleAssign(w http.ResponseWriter, r *http.Request) {
	exp := r.PathValue("exp")
	as, err := s.AB.Assign(r.Context(), exp, visitorOf(r))
	if err == nil {
		_ = s.AB.Expose(r.Context(), exp, as.Variant)
	}
	reply(w, http.StatusOK, as, err)
}

func (s *Server) handleWaiting(w http.ResponseWriter, r *http.Request) {
	sum, err := waitroom.Waiting(r.Context(), s.Store, r.PathValue("drop"))
	reply(w, http.StatusOK, sum, err)
}

// handleKeys lists one page of keys; the client follows the cursor.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, err := s.Store.List(r.Context(), storage.ListQuery{
		Prefix: q.Get("prefix"),
		Cursor: q.Get("cursor"),
		Limit:  min(max(limit, 10), storage.MaxPage),
	})
	reply(w, http.StatusOK, map[string]any{
		"keys":     page.Names(),
		"cursor":   page.Cursor,
		"complete": page.Complete,
	}, err)
}
