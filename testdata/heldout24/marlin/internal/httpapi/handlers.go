package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/marlin/internal/accounts"
	"example.com/marlin/internal/analytics"
	"example.com/marlin/internal/catalog"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/episodes"
	"example.com/marlin/internal/feeds"
	"example.com/marlin/internal/invites"
	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/ratelimit"
	"example.com/marlin/internal/shows"
	"example.com/marlin/internal/tokens"
	"example.com/marlin/internal/transcripts"
)

// PutFunc is the write callback the handlers use for small status keys.
type PutFunc func(ctx context.Context, key string, value []byte, opts kv.PutOptions) error

// Server holds the handlers' dependencies.
type Server struct {
	Shows       *shows.Service
	Feeds       *feeds.Cache
	Accounts    *accounts.Service
	Tokens      *tokens.Service
	Invites     *invites.Service
	Transcripts *transcripts.Consumer
	Episodes    *episodes.Publisher
	Catalog     catalog.Catalog
	Recorder    *analytics.Recorder
	Clock       clock.Clock

	// UploadGate limits upload-URL requests per creator.
	UploadGate ratelimit.Gate
	// PutStatus writes small status keys.
	PutStatus PutFunc
	// PublicFeed serves cached public feeds.
	PublicFeed kv.Getter
	// Prefs stores per-creator UI preferences in tenant-scoped views.
	Prefs interface{ ForTenant(id string) kv.Store }
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(v); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Routes returns the HTTP handler of the API.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feeds/{slug}", s.feed)
	mux.HandleFunc("GET /e/{id}/audio", s.download)
	mux.HandleFunc("GET /shows", s.directory)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /invites/{code}/redeem", s.redeem)

	authed := http.NewServeMux()
	authed.HandleFunc("POST /logout", s.logout)
	authed.HandleFunc("POST /tokens", s.issueToken)
	authed.HandleFunc("DELETE /tokens/{token}", s.revokeToken)
	authed.HandleFunc("POST /shows/{id}/invites", s.createInvite)
	authed.HandleFunc("PUT /prefs", s.savePrefs)
	authed.HandleFunc("GET /transcripts/{episode}", s.transcript)
	authed.HandleFunc("POST /episodes/{id}/publish", s.publish)
	authed.HandleFunc("POST /uploads", s.uploadURL)

	mux.Handle("/api/", http.StripPrefix("/api", Auth(s.Accounts, s.Accounts.Touch)(authed)))
	return RequestID(Recover(mux))
}

func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	slug := strings.TrimSuffix(r.PathValue("slug"), ".rss")
	id, err := s.Shows.Resolve(r.Context(), slug)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	body, err := s.PublicFeed.Get(r.Context(), "feed:pub:"+id)
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	if err := s.Feeds.Served(r.Context(), feeds.KindPublic, id); err != nil {
		log.Printf("feed served: %v", err)
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	_, _ = w.Write(body)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d := analytics.Download{EpisodeID: id, IP: r.RemoteAddr, UserAgent: r.UserAgent(), At: s.Clock.Now()}
	s.Recorder.Record(d)
	if err := s.Recorder.MarkListener(r.Context(), d); err != nil {
		log.Printf("listener: %v", err)
	}
	if err := s.PutStatus(r.Context(), "status:latest-episode-played", []byte(id), kv.PutOptions{}); err != nil { // EXPECT kvhotkey
		log.Printf("status: %v", err)
	}
	http.Redirect(w, r, "https://media.marlin.fm/"+id+".mp3", http.StatusFound)
}

func (s *Server) directory(w http.ResponseWriter, r *http.Request) {
	ids, next, err := s.Shows.Directory(r.Context(), r.URL.Query().Get("cursor"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"shows": ids, "next": next})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Email, Password string }
	if !decode(w, r, &in) {
		return
	}
	sess, err := s.Accounts.Login(r.Context(), in.Email, in.Password, r.UserAgent())
	switch {
	case errors.Is(err, ratelimit.ErrLimited):
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	case errors.Is(err, accounts.ErrBadCredentials):
		http.Error(w, "wrong email or password", http.StatusUnauthorized)
		return
	case err != nil:
		http.Error(w, "login failed", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "marlin_session", Value: sess.ID, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, Path: "/"})
	writeJSON(w, http.StatusOK, map[string]string{"creator": sess.CreatorID})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	if err := s.Accounts.Logout(r.Context(), sess.ID); err != nil {
		http.Error(w, "logout failed", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "marlin_session", Value: "", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	var in struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	if !decode(w, r, &in) {
		return
	}
	tok, err := s.Tokens.Issue(r.Context(), sess.CreatorID, in.Name, in.Scopes)
	if errors.Is(err, tokens.ErrQuota) {
		http.Error(w, "token limit reached", http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, "issue failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": tok})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.Tokens.Revoke(r.Context(), r.PathValue("token")); err != nil {
		http.Error(w, "revoke failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string       `json:"email"`
		Role  invites.Role `json:"role"`
		Until *time.Time   `json:"until"`
		Code  string       `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	showID := r.PathValue("id")
	var (
		inv invites.Invite
		err error
	)
	switch {
	case in.Code != "":
		inv, err = s.Invites.CreateCustom(r.Context(), in.Code, showID, in.Email, in.Role)
	case in.Until != nil:
		inv, err = s.Invites.CreateUntil(r.Context(), showID, in.Email, in.Role, *in.Until)
	default:
		inv, err = s.Invites.Create(r.Context(), showID, in.Email, in.Role)
	}
	if errors.Is(err, invites.ErrCodeTaken) {
		http.Error(w, "code taken", http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusCreated, inv)
}

func (s *Server) redeem(w http.ResponseWriter, r *http.Request) {
	var in struct{ Email string }
	if !decode(w, r, &in) {
		return
	}
	inv, err := s.Invites.Redeem(r.Context(), r.PathValue("code"), in.Email)
	if errors.Is(err, invites.ErrInvalid) {
		http.Error(w, "invalid invite", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, "redeem failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, inv)
}

func (s *Server) savePrefs(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	var prefs map[string]string
	if !decode(w, r, &prefs) {
		return
	}
	b, _ := json.Marshal(prefs)
	if err := s.Prefs.ForTenant(sess.CreatorID).Put(r.Context(), "prefs", b, kv.PutOptions{}); err != nil {
		http.Error(w, "save failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) uploadURL(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	if err := s.UploadGate.Allow(r.Context(), sess.CreatorID); err != nil {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": "https://upload.marlin.fm/" + sess.CreatorID})
}

func (s *Server) transcript(w http.ResponseWriter, r *http.Request) {
	text, ok, err := s.Transcripts.Transcript(r.Context(), r.PathValue("episode"))
	if err != nil || !ok {
		http.Error(w, "no transcript", http.StatusNotFound)
		return
	}
	_, _ = w.Write([]byte(text))
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request) {
	ep, err := s.Catalog.Episode(r.Context(), r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	for _, step := range []func() error{
		func() error { return s.Episodes.Publish(ctx, ep, nil) },
		func() error { return s.Shows.Refresh(ctx, ep.ShowID) },
		func() error { return s.Episodes.Announce(ctx, ep) },
	} {
		if err := step(); err != nil {
			http.Error(w, "publish failed", http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusAccepted)
}
