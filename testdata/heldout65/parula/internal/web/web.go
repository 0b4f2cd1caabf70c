// Package web serves the backend's HTTP surface: the "Add to Slack" flow, the
// small admin dashboard and the health probe used by the load balancer.
package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parula-labs/parula/internal/install"
	"github.com/parula-labs/parula/internal/kvstore"
)

const (
	sessionCookie = "parula_dash"
	sessionTTL    = 12 * time.Hour
	idleTimeout   = 30 * time.Minute
)

// DashSession is what the dashboard knows about a signed-in admin.
type DashSession struct {
	TeamID   string    `json:"team_id"`
	UserID   string    `json:"user_id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Server is the backend HTTP handler.
type Server struct {
	kv       *kvstore.Namespace
	installs *install.Registry
	clientID string
	log      *slog.Logger
	mux      *http.ServeMux
}

func NewServer(kv *kvstore.Namespace, installs *install.Registry, clientID string, log *slog.Logger) *Server {
	s := &Server{kv: kv, installs: installs, clientID: clientID, log: log, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /slack/install", s.handleInstall)
	s.mux.HandleFunc("GET /slack/oauth/callback", s.handleCallback)
	s.mux.HandleFunc("GET /dash/", s.handleDashboard)
	s.mux.HandleFunc("POST /dash/logout", s.handleLogout)
	s.mux.HandleFunc("POST /dash/sessions/{id}/revoke", s.handleRevoke)
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) handleInstall(w http.ResponseWriter, r *http.Request) {
	state, err := s.installs.BeginOAuth(r.Context(), r.URL.Query().Get("return_to"))
	if err != nil {
		http.Error(w, "could not start install", http.StatusInternalServerError)
		return
	}
	q := url.Values{
		"client_id": {s.clientID},
		"scope":     {"commands,chat:write,reactions:read,users:read,channels:read"},
		"state":     {state},
	}
	http.Redirect(w, r, "https://slack.com/oauth/v2/authorize?"+q.Encode(), http.StatusFound)
}

func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	returnTo, err := s.installs.ConsumeState(ctx, r.URL.Query().Get("state"))
	if err != nil {
		http.Error(w, "invalid state", http.StatusBadRequest)
		return
	}
	inst, err := s.installs.Complete(ctx, r.URL.Query().Get("code"))
	if err != nil {
		s.log.Error("oauth completion failed", "err", err)
		http.Error(w, "install failed", http.StatusBadGateway)
		return
	}
	if err := s.startSession(w, r, inst.TeamID, inst.InstalledBy); err != nil {
		s.log.Error("dashboard session", "err", err)
	}
	if returnTo == "" {
		returnTo = "/dash/"
	}
	http.Redirect(w, r, returnTo, http.StatusFound)
}

func sessKey(id string) string    { return "dash_sess:" + id }
func revokedKey(id string) string { return "revoked_sess:" + id }

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, team, user string) error {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	now := time.Now().UTC()
	sess := DashSession{TeamID: team, UserID: user, Created: now, LastSeen: now}
	if err := s.kv.PutJSON(r.Context(), sessKey(id), sess, sessionTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/dash/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int(sessionTTL.Seconds()),
	})
	return nil
}

// session loads the caller's dashboard session and pushes its idle deadline out.
func (s *Server) session(r *http.Request) (*DashSession, string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, "", err
	}
	var sess DashSession
	if err := s.kv.GetJSON(r.Context(), sessKey(c.Value), &sess); err != nil {
		return nil, "", err
	}
	if time.Since(sess.LastSeen) > idleTimeout {
		return nil, "", errors.New("web: session idle")
	}
	sess.LastSeen = time.Now().UTC()
	if err := s.kv.PutJSON(r.Context(), sessKey(c.Value), sess, sessionTTL); err != nil { // EXPECT kvsession|kvrace
		s.log.Warn("session touch failed", "err", err)
	}
	return &sess, c.Value, nil
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	sess, _, err := s.session(r)
	if err != nil {
		http.Redirect(w, r, "/slack/install?return_to=/dash/", http.StatusFound)
		return
	}
	inst, err := s.installs.Load(r.Context(), sess.TeamID)
	if err != nil {
		http.Error(w, "workspace not installed", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"team":       inst.TeamName,
		"scopes":     inst.Scopes,
		"installed":  inst.InstalledAt,
		"signedInAs": sess.UserID,
	})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err == nil {
		if err := s.kv.Delete(r.Context(), sessKey(c.Value)); err != nil { // EXPECT kvsession
			s.log.Warn("logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/dash/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleRevoke lets an admin kill another admin's dashboard session.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.session(r); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	id := r.PathValue("id")
	stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	if err := s.kv.PutTTL(r.Context(), revokedKey(id), stamp, sessionTTL); err != nil { // EXPECT kvsession
		http.Error(w, "revoke failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	now := time.Now().UTC().Format(time.RFC3339)
	if err := s.kv.Put(r.Context(), "health:last_probe", []byte(now)); err != nil { // EXPECT kvhotkey
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok"))
}
