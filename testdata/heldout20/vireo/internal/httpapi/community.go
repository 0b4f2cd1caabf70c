package httpapi

import (
	"net/http"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/notify"
)

func (s *Server) postComment(w http.ResponseWriter, r *http.Request, sess domain.Session) {
	in, err := decode[struct {
		Body string `json:"body"`
	}](r)
	if err != nil {
		writeError(w, err)
		return
	}
	c, err := s.Threads.Post(r.Context(), r.PathValue("thread"), sess.CitizenID, in.Body)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) flagComment(w http.ResponseWriter, r *http.Request, sess domain.Session) {
	in, err := decode[struct {
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		writeError(w, err)
		return
	}
	err = s.Queue.Flag(r.Context(), domain.Flag{
		CommentID: r.PathValue("comment"),
		ThreadID:  r.PathValue("thread"),
		Reason:    in.Reason,
		FlaggedBy: sess.CitizenID,
	})
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) setChannel(w http.ResponseWriter, r *http.Request, sess domain.Session) {
	in, err := decode[struct {
		On   bool   `json:"on"`
		Ward string `json:"ward"`
	}](r)
	if err != nil {
		writeError(w, err)
		return
	}
	ch := notify.Channel(r.PathValue("channel"))
	if err := s.Prefs.SetChannel(r.Context(), sess.CitizenID, in.Ward, ch, in.On); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
