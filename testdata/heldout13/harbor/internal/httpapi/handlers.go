package httpapi

import (
	"errors"
	"net/http"
	"time"

	"example.com/harbor/internal/berth"
	"example.com/harbor/internal/container"
	"example.com/harbor/internal/session"
)

func (s *Server) createBooking(w http.ResponseWriter, r *http.Request, sess session.Session) {
	var in struct {
		VesselIMO string    `json:"vessel_imo"`
		Berth     string    `json:"berth"`
		ETA       time.Time `json:"eta"`
		ETD       time.Time `json:"etd"`
	}
	if !decode(w, r, &in) {
		return
	}
	ctx := r.Context()
	b, err := s.Bookings.Request(ctx, berth.Request{
		VesselIMO: in.VesselIMO, Berth: in.Berth, Operator: sess.Operator, ETA: in.ETA, ETD: in.ETD,
	})
	var verr *berth.ValidationError
	if errors.As(err, &verr) {
		writeError(w, http.StatusUnprocessableEntity, verr.Error())
		return
	}
	if err != nil {
		s.Log.Error("create booking", "err", err)
		writeError(w, http.StatusServiceUnavailable, "could not create booking")
		return
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := s.Store.Put(ctx, "berths:last-updated", stamp); err != nil { // EXPECT kvhotkey
		s.Log.Warn("board stamp failed", "err", err)
	}
	writeJSON(w, http.StatusCreated, b)
}

func (s *Server) transitionBooking(w http.ResponseWriter, r *http.Request, sess session.Session) {
	var in struct {
		Status berth.Status `json:"status"`
		Notes  string       `json:"notes"`
	}
	if !decode(w, r, &in) {
		return
	}
	id := r.PathValue("id")
	b, err := s.Bookings.Transition(r.Context(), id, in.Status, sess.Operator, in.Notes)
	var terr *berth.TransitionError
	switch {
	case errors.Is(err, berth.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such booking")
		return
	case errors.As(err, &terr):
		writeError(w, http.StatusConflict, terr.Error())
		return
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) holdBooking(w http.ResponseWriter, r *http.Request, _ session.Session) {
	var in struct {
		Until time.Time `json:"until"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Until.After(time.Now().Add(72 * time.Hour)) {
		writeError(w, http.StatusUnprocessableEntity, "holds are limited to 72 hours")
		return
	}
	err := s.Bookings.Hold(r.Context(), r.PathValue("id"), in.Until)
	var verr *berth.ValidationError
	switch {
	case errors.As(err, &verr):
		writeError(w, http.StatusUnprocessableEntity, verr.Error())
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "try again")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) containerEvents(w http.ResponseWriter, r *http.Request, _ session.Session) {
	var in struct {
		Events []container.Event `json:"events"`
	}
	if !decode(w, r, &in) {
		return
	}
	if len(in.Events) > 500 {
		writeError(w, http.StatusRequestEntityTooLarge, "at most 500 events per call")
		return
	}
	err := s.Projector.Apply(r.Context(), in.Events)
	for _, ev := range in.Events {
		if ev.Type == container.Loaded || ev.Type == container.Discharged {
			s.Metrics.CraneMove(ev.Terminal)
		}
	}
	resp := struct {
		Received int    `json:"received"`
		Error    string `json:"error,omitempty"`
	}{Received: len(in.Events)}
	if err != nil {
		resp.Error = err.Error()
	}
	writeJSON(w, http.StatusAccepted, resp)
}

func (s *Server) holds(w http.ResponseWriter, r *http.Request, _ session.Session) {
	n, err := s.Projector.HoldCount(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	sum, err := s.Projector.DefaultHoldReport(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		OnHold int                   `json:"on_hold"`
		Report container.HoldSummary `json:"report"`
	}{n, sum})
}

func (s *Server) currentTariffs(w http.ResponseWriter, r *http.Request) {
	sh, err := s.Tariffs.Current(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, sh)
}

func (s *Server) eta(w http.ResponseWriter, r *http.Request, _ session.Session) {
	if e, err := s.Vessels.ETA(r.Context(), r.PathValue("imo")); err != nil {
		writeError(w, http.StatusBadGateway, "ETA unavailable")
	} else {
		writeJSON(w, http.StatusOK, e)
	}
}
