package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/shortlinks/internal/accounts"
	"example.com/shortlinks/internal/analytics"
	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/links"
)

// apiKeyAuth authenticates /v1 calls and applies the daily quota.
func (h *Handler) apiKeyAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "missing API key", http.StatusUnauthorized)
			return
		}
		key, err := h.Accounts.Authenticate(r.Context(), bearer)
		if err != nil {
			http.Error(w, "invalid API key", http.StatusUnauthorized)
			return
		}
		allowed, err := h.Quota.Consume(key.ID, time.Now())
		if err != nil {
			h.Log.Warn("quota check failed", "key", key.ID, "err", err)
		} else if !allowed {
			http.Error(w, "daily quota exhausted", http.StatusTooManyRequests)
			return
		}
		// Support uses this to see which integration called last.
		_ = h.Store.Put(r.Context(), keys.LastAPIClient, key.ID+" "+r.UserAgent()) // EXPECT kvhotkey
		ctx := withSession(r.Context(), sessionForKey(key))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type createLinkRequest struct {
	Slug      string    `json:"slug"`
	Target    string    `json:"target"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h *Handler) createLink(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	var req createLinkRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	l, err := h.Links.Create(r.Context(), links.CreateInput{Slug: req.Slug, Target: req.Target, Owner: sess.Workspace, ExpiresAt: req.ExpiresAt})
	switch {
	case errors.Is(err, links.ErrSlugTaken):
		http.Error(w, "slug taken", http.StatusConflict)
		return
	case errors.Is(err, links.ErrInvalidSlug):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

func (h *Handler) ownedLink(w http.ResponseWriter, r *http.Request) (links.Link, bool) {
	sess, _ := SessionFrom(r.Context())
	l, err := h.Links.Get(r.Context(), r.PathValue("slug"))
	if err != nil || l.Owner != sess.Workspace {
		http.NotFound(w, r)
		return links.Link{}, false
	}
	return l, true
}

// stats returns today's clicks and the all-time total.
func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	l, ok := h.ownedLink(w, r)
	if !ok {
		return
	}
	v, err := h.NS.GetString(analytics.DayKey(time.Now(), l.Slug), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "stats unavailable", http.StatusServiceUnavailable)
		return
	}
	today, err := strconv.Atoi(v)
	if err != nil {
		http.Error(w, "stats unavailable", http.StatusInternalServerError)
		return
	}
	total, err := h.Recorder.Total(l.Slug)
	if err != nil {
		http.Error(w, "stats unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"today": today, "total": total})
}

// addTag adds the link to a tag's member list, used for the tag filter.
func (h *Handler) addTag(w http.ResponseWriter, r *http.Request) {
	l, ok := h.ownedLink(w, r)
	if !ok {
		return
	}
	tag := strings.ToLower(strings.TrimSpace(r.FormValue("tag")))
	if tag == "" || strings.Contains(tag, ",") {
		http.Error(w, "invalid tag", http.StatusBadRequest)
		return
	}
	key := keys.TagPrefix + l.Owner + ":" + tag
	members, err := h.NS.GetString(key, nil)
	if err != nil {
		http.Error(w, "tags unavailable", http.StatusServiceUnavailable)
		return
	}
	list := l.Slug
	if members != "<null>" {
		if slices.Contains(strings.Split(members, ","), l.Slug) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		list = members + "," + l.Slug
	}
	if err := h.NS.PutString(key, list, nil); err != nil { // EXPECT kvrace
		http.Error(w, "tags unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) switchWorkspace(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	ws := r.FormValue("workspace")
	if _, err := h.Accounts.Get(r.Context(), ws); err != nil {
		http.Error(w, "unknown workspace", http.StatusNotFound)
		return
	}
	if err := h.Auth.SwitchWorkspace(r.Context(), sess.ID, ws); err != nil {
		http.Error(w, "could not switch", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) createKey(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	k, secret, err := h.Accounts.CreateAPIKey(r.Context(), sess.Workspace, r.FormValue("label"))
	if err != nil {
		http.Error(w, "could not create key", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": k.ID, "secret": k.ID + "." + secret})
}

func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	err := h.Accounts.RevokeAPIKey(r.Context(), sess.Workspace, r.PathValue("id"))
	if errors.Is(err, accounts.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "could not revoke", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	n, err := h.Auth.LogoutEverywhere(r.Context(), sess.Account)
	if err != nil {
		http.Error(w, "could not end sessions", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"ended": n})
}
