package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"example.com/vireo/internal/accounts"
	"example.com/vireo/internal/consultation"
	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/experiments"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
	"example.com/vireo/internal/moderation"
	"example.com/vireo/internal/notify"
	"example.com/vireo/internal/pagecache"
	"example.com/vireo/internal/petitions"
	"example.com/vireo/internal/polls"
	"example.com/vireo/internal/sessions"
	"example.com/vireo/internal/signin"
	"example.com/vireo/internal/waitingroom"
)

// lastVoteKey feeds the "latest activity" ticker on the home page.
const lastVoteKey = "stats:last-vote-at"

var viewsAt = kvx.Prefixed("views:")

// Server wires the use cases to routes.
type Server struct {
	Civic         kvstore.Store
	Consultations *consultation.Repo
	Pages         *pagecache.Cache
	CastVote      polls.CastVote
	Petitions     petitions.Service
	Accounts      accounts.Registry
	Sessions      *sessions.Store
	Links         signin.Links
	Lockout       signin.Lockout
	Devices       signin.Devices
	Lab           *experiments.Lab
	LayoutExp     string
	Threads       *moderation.Threads
	Queue         moderation.Queue
	Prefs         notify.Preferences
	Room          *waitingroom.Room
	Templates     *template.Template
	Clock         func() time.Time
}

// Handler returns the routed handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /consultations/{slug}", s.consultationPage)
	mux.HandleFunc("POST /polls/{poll}/votes", s.requireCitizen(s.castVote))
	mux.HandleFunc("POST /petitions/{id}/signatures", s.requireCitizen(s.signPetition))
	mux.HandleFunc("GET /petitions/{id}/progress", s.petitionProgress)
	mux.HandleFunc("POST /auth/magic-link", s.requestLink)
	mux.HandleFunc("GET /auth/magic-link/{token}", s.redeemLink)
	mux.HandleFunc("POST /auth/logout", s.logout)
	mux.HandleFunc("POST /device/approve", s.requireCitizen(s.deviceApprove))
	mux.HandleFunc("POST /threads/{thread}/comments", s.requireCitizen(s.postComment))
	mux.HandleFunc("POST /threads/{thread}/comments/{comment}/flags", s.requireCitizen(s.flagComment))
	mux.HandleFunc("PUT /me/notifications/{channel}", s.requireCitizen(s.setChannel))
	mux.Handle("POST /waiting-room/admit/{ticket}", s.Room.AdmitHandler())
	return s.Sessions.Middleware(mux)
}

func (s *Server) requireCitizen(h func(http.ResponseWriter, *http.Request, domain.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := sessions.FromContext(r.Context())
		if !ok {
			writeError(w, &domain.APIError{Status: http.StatusUnauthorized, Code: "signin_required", Msg: "please sign in"})
			return
		}
		h(w, r, sess)
	}
}

func (s *Server) consultationPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	layout := "standard"
	if sess, ok := sessions.FromContext(r.Context()); ok && s.LayoutExp != "" {
		if v, err := s.Lab.Assign(r.Context(), s.LayoutExp, sess.CitizenID); err == nil {
			layout = v.Layout
			_ = s.Lab.RecordExposure(r.Context(), s.LayoutExp, v.Name)
		}
	}
	html, err := s.Pages.Page(r.Context(), layout+"/"+slug, func(ctx context.Context, _ string) ([]byte, error) {
		return s.render(ctx, slug, layout)
	})
	if err != nil {
		writeError(w, err)
		return
	}
	// Page views are best effort.
	_, _ = kvx.Add[int64](r.Context(), s.Civic, viewsAt(slug), 1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(html)
}

func (s *Server) render(ctx context.Context, slug, layout string) ([]byte, error) {
	c, err := s.Consultations.BySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = s.Templates.ExecuteTemplate(&buf, layout+".html", c)
	return buf.Bytes(), err
}

func (s *Server) castVote(w http.ResponseWriter, r *http.Request, sess domain.Session) {
	body, err := decode[struct {
		Options []string `json:"options"`
	}](r)
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := s.CastVote.Execute(r.Context(), polls.CastVoteInput{
		PollID:    r.PathValue("poll"),
		CitizenID: sess.CitizenID,
		OptionIDs: body.Options,
	})
	if err != nil {
		writeError(w, err)
		return
	}
	stamp := []byte(out.CastAt.Format(time.RFC3339))
	if err := s.Civic.Put(r.Context(), lastVoteKey, stamp, kvstore.WriteOptions{}); err != nil { // EXPECT kvhotkey
		writeError(w, fmt.Errorf("vote recorded, ticker not updated: %w", err))
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) signPetition(w http.ResponseWriter, r *http.Request, sess domain.Session) {
	body, err := decode[struct {
		Name   string `json:"name"`
		Ward   string `json:"ward"`
		Public bool   `json:"public"`
	}](r)
	if err != nil {
		writeError(w, err)
		return
	}
	err = s.Petitions.Sign(r.Context(), domain.Signature{
		PetitionID: r.PathValue("id"),
		CitizenID:  sess.CitizenID,
		Name:       body.Name,
		Ward:       body.Ward,
		Public:     body.Public,
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]bool{"signed": true})
}

func (s *Server) petitionProgress(w http.ResponseWriter, r *http.Request) {
	p, err := s.Petitions.Progress(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
