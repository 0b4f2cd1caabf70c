package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/osprey/internal/audit"
	"example.com/osprey/internal/builds"
	"example.com/osprey/internal/config"
	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/edge"
	"example.com/osprey/internal/flags"
	"example.com/osprey/internal/invites"
	"example.com/osprey/internal/locks"
	"example.com/osprey/internal/projects"
	"example.com/osprey/internal/ratelimit"
	"example.com/osprey/internal/storage"
	"example.com/osprey/internal/storage/cfv0"
	"example.com/osprey/internal/tokens"
)

// Server holds the handlers' collaborators.
type Server struct {
	Projects projects.Service
	Locks    locks.Manager
	Builds   builds.Tracker
	Sessions tokens.Sessions
	Tokens   tokens.Tokens
	Invites  invites.Service
	Limiter  ratelimit.Limiter
	Raw      storage.Raw

	// Direct v0 access for the login flow.
	API       *cloudflare.API
	AccountID string
	Namespace string
}

// Handler builds the HTTP handler with all routes and middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	public := Routes{
		"POST /v1/login":                 s.login,
		"GET /v1/oauth/callback":         s.oauthCallback,
		"GET /v1/invites/{code}":         s.viewInvite,
		"POST /v1/invites/{code}/redeem": s.redeemInvite,
		"GET /healthz":                   s.health,
	}
	private := Routes{
		"POST /v1/logout":                            s.logout,
		"POST /v1/projects":                          s.createProject,
		"GET /v1/projects/{id}":                      s.getProject,
		"POST /v1/projects/{id}/environments":        s.addEnvironment,
		"GET /v1/projects/{id}/repo":                 s.repoInfo,
		"PUT /v1/projects/{id}/flags/{flag}/{env}":   s.toggleFlag,
		"POST /v1/projects/{id}/locks/{env}":         s.acquireLock,
		"DELETE /v1/projects/{id}/locks/{env}":       s.releaseLock,
		"POST /v1/projects/{id}/locks/{env}/extend":  s.extendLock,
		"POST /v1/projects/{id}/deploys":             s.deploy,
		"POST /v1/projects/{id}/builds":              s.reportBuild,
		"POST /v1/projects/{id}/tokens":              s.issueToken,
		"POST /v1/projects/{id}/tokens/{tid}/rotate": s.rotateToken,
		"GET /v1/projects/{id}/tokens":               s.listTokens,
		"POST /v1/projects/{id}/invites":             s.createInvite,
		"GET /v1/projects/{id}/audit":                s.auditPage,
	}
	public.Register(mux, func(h http.Handler) http.Handler { return chain(h, logRequests) })
	private.Register(mux, func(h http.Handler) http.Handler {
		return chain(h, logRequests, lastSeen, authenticate(s.Sessions), limitProjects(s.Limiter))
	})
	return mux
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) rc() *cloudflare.ResourceContainer { return cloudflare.AccountIdentifier(s.AccountID) }

type loginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// login checks credentials against the identity provider and counts
// failures per user.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decode(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	ctx := r.Context()
	lim := config.Load().Limits.Login
	key := fmt.Sprintf("attempts:%s:%d", strings.ToLower(req.User), time.Now().Truncate(lim.Window).Unix())
	var failures int
	b, err := s.API.GetWorkersKV(ctx, s.rc(), cloudflare.GetWorkersKVParams{NamespaceID: s.Namespace, Key: key})
	switch {
	case err == nil:
		failures, _ = strconv.Atoi(string(b))
	case !cfv0.IsNotFound(err):
		writeErr(w, err)
		return
	}
	if failures >= lim.Max {
		writeErr(w, domain.ErrLimited)
		return
	}
	if !checkPassword(req.User, req.Password) {
		_, _ = s.API.WriteWorkersKVEntries(ctx, s.rc(), cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvcounter
			NamespaceID: s.Namespace,
			KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: strconv.Itoa(failures + 1), ExpirationTTL: 120}},
		})
		writeErr(w, domain.ErrForbidden)
		return
	}
	sess, err := s.Sessions.Create(ctx, req.User)
	if err != nil {
		writeErr(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "osprey_session", Value: sess.ID, HttpOnly: true, Secure: true, Path: "/"})
	writeJSON(w, http.StatusOK, map[string]string{"csrf": sess.CSRF})
}

func checkPassword(user, password string) bool { return user != "" && len(password) >= 12 }

// oauthCallback completes a login through the git host.
func (s *Server) oauthCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	key := "oauth/state/" + state
	user, err := s.API.GetWorkersKV(ctx, s.rc(), cloudflare.GetWorkersKVParams{NamespaceID: s.Namespace, Key: key})
	if err != nil || state == "" {
		writeErr(w, domain.ErrForbidden)
		return
	}
	if _, err := s.API.DeleteWorkersKVEntry(ctx, s.rc(), cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.Namespace, Key: key}); err != nil { // EXPECT kvsession
		writeErr(w, err)
		return
	}
	sess, err := s.Sessions.Create(ctx, string(user))
	if err != nil {
		writeErr(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "osprey_session", Value: sess.ID, HttpOnly: true, Secure: true, Path: "/"})
	http.Redirect(w, r, "/", http.StatusFound)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, ok := sessionFrom(r.Context())
	if !ok {
		writeErr(w, domain.ErrForbidden)
		return
	}
	if err := s.Sessions.Logout(r.Context(), sess.ID); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createProject(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	var p domain.Project
	if err := decode(r, &p); err != nil {
		writeErr(w, err)
		return
	}
	p.Owner = sess.User
	created, err := s.Projects.Create(r.Context(), p)
	if err != nil {
		writeErr(w, err)
		return
	}
	_ = audit.Record(r.Context(), domain.AuditEntry{Project: created.ID, Actor: sess.User, Action: "project.create", Target: created.Slug})
	writeJSON(w, http.StatusCreated, created)
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) {
	p, err := s.Projects.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) addEnvironment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if err := decode(r, &body); err != nil {
		writeErr(w, err)
		return
	}
	p, err := s.Projects.AddEnvironment(r.Context(), r.PathValue("id"), body.Name)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) repoInfo(w http.ResponseWriter, r *http.Request) {
	info, err := s.Projects.RepoInfo(r.Context(), r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) toggleFlag(w http.ResponseWriter, r *http.Request) {
	var body struct {
		On bool `json:"on"`
	}
	if err := decode(r, &body); err != nil {
		writeErr(w, err)
		return
	}
	f, err := flags.Toggle(r.Context(), r.PathValue("id"), r.PathValue("flag"), r.PathValue("env"), body.On)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) acquireLock(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	var body struct {
		Reason string `json:"reason"`
	}
	_ = decode(r, &body)
	l, err := s.Locks.Acquire(r.Context(), r.PathValue("id"), r.PathValue("env"), sess.User, body.Reason)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Server) releaseLock(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	if err := s.Locks.Release(r.Context(), r.PathValue("id"), r.PathValue("env"), sess.User); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) extendLock(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	var body struct {
		Until time.Time `json:"until"`
	}
	if err := decode(r, &body); err != nil {
		writeErr(w, err)
		return
	}
	if err := s.Locks.Extend(r.Context(), r.PathValue("id"), r.PathValue("env"), sess.User, body.Until); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type deployRequest struct {
	Env    string `json:"env"`
	Commit string `json:"commit"`
}

// deploy records a deploy request. The deploy itself is run by the worker.
func (s *Server) deploy(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, _ := sessionFrom(ctx)
	id := r.PathValue("id")
	var req deployRequest
	if err := decode(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	if _, held, err := s.Locks.Current(ctx, id, req.Env); err != nil {
		writeErr(w, err)
		return
	} else if held {
		writeErr(w, domain.ErrConflict)
		return
	}
	deployID := domain.NewID()
	b, _ := json.Marshal(struct {
		deployRequest
		ID    string `json:"id"`
		Actor string `json:"actor"`
	}{req, deployID, sess.User})
	if err := s.Raw.Put(ctx, fmt.Sprintf("deploys/%s/%s", id, deployID), b, storage.WithTTL(7*24*time.Hour)); err != nil {
		writeErr(w, err)
		return
	}
	if err := s.Raw.Put(ctx, "stats/last-deploy", b); err != nil { // EXPECT kvhotkey
		writeErr(w, err)
		return
	}
	_ = edge.PublishRoute(ctx, id, req.Env, deployID, "")
	writeJSON(w, http.StatusAccepted, map[string]string{"id": deployID})
}

func (s *Server) reportBuild(w http.ResponseWriter, r *http.Request) {
	var b domain.Build
	if err := decode(r, &b); err != nil {
		writeErr(w, err)
		return
	}
	b.Project = r.PathValue("id")
	if err := s.Builds.Record(r.Context(), b); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	if err := decode(r, &body); err != nil {
		writeErr(w, err)
		return
	}
	tok, secret, err := s.Tokens.Issue(r.Context(), r.PathValue("id"), body.Name, body.Scopes)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "secret": secret})
}

func (s *Server) rotateToken(w http.ResponseWriter, r *http.Request) {
	tok, secret, err := s.Tokens.Rotate(r.Context(), r.PathValue("id"), r.PathValue("tid"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "secret": secret})
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := s.Tokens.List(r.Context(), r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toks)
}

func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	var inv domain.Invitation
	if err := decode(r, &inv); err != nil {
		writeErr(w, err)
		return
	}
	inv.Project = r.PathValue("id")
	inv.InvitedBy = sess.User
	out, err := s.Invites.Create(r.Context(), inv)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) viewInvite(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	go func() { _, _ = invites.CountView(context.WithoutCancel(r.Context()), code) }()
	writeJSON(w, http.StatusOK, map[string]string{"code": code})
}

func (s *Server) redeemInvite(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if err := decode(r, &body); err != nil {
		writeErr(w, err)
		return
	}
	inv, err := s.Invites.Redeem(r.Context(), r.PathValue("code"), body.Email)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, inv)
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	entries, next, err := audit.Page(r.Context(), r.PathValue("id"), r.URL.Query().Get("cursor"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries, "cursor": next})
}
