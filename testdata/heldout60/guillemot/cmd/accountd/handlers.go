package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/casbin/casbin/v2"

	"github.com/forumworks/guillemot/internal/accounts"
	"github.com/forumworks/guillemot/internal/auth"
	"github.com/forumworks/guillemot/internal/kv"
)

// server holds what the account service's own handlers need.
type server struct {
	dir      *accounts.Directory
	svc      *auth.Service
	enforcer *casbin.Enforcer
	infra    *kv.Namespace
}

// profile serves GET /profiles/{handle} to the edge Worker when a
// profile is not in KV yet.
func (s *server) profile(w http.ResponseWriter, r *http.Request) {
	p, err := s.dir.ProfileByHandle(r.Context(), r.PathValue("handle"))
	if errors.Is(err, accounts.ErrNoAccount) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(p)
}

// grantModerator serves POST /admin/categories/{category}/moderators. The
// enforcer's auto-save writes the new grouping rule through the KV adapter.
func (s *server) grantModerator(w http.ResponseWriter, r *http.Request) {
	category := r.PathValue("category")
	ok, err := s.enforcer.Enforce(s.uid(r), category, r.URL.Path, r.Method)
	if err != nil || !ok {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	target := r.PostFormValue("uid")
	if _, err := s.enforcer.AddRoleForUserInDomain(target, "moderator", category); err != nil {
		http.Error(w, "could not grant", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// uid returns the signed-in member's ID, or "".
func (s *server) uid(r *http.Request) string {
	uid, _ := s.svc.SignedIn(r)
	return uid
}
