package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/lantern/internal/store"
)

var (
	errUnauthenticated = errors.New("not signed in")
	errTaken           = errors.New("already taken")
)

// Profile is a public attendee profile.
type Profile struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Bio      string    `json:"bio,omitempty"`
	JoinedAt time.Time `json:"joined_at"`
}

// Session is the server-side record behind the session cookie.
type Session struct {
	UserID   string    `json:"user_id"`
	TenantID string    `json:"tenant_id"`
	Plan     string    `json:"plan"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

type sessionKey struct{}

func sessionFrom(ctx context.Context) Session {
	s, _ := ctx.Value(sessionKey{}).(Session)
	return s
}

func (h *Handlers) getProfile(w http.ResponseWriter, r *http.Request) {
	b, _ := h.Profiles.Get(r.Context(), "profile:"+r.PathValue("id")) // EXPECT kvnull
	var p Profile
	_ = json.Unmarshal(b, &p)
	writeJSON(w, http.StatusOK, p)
}

func (h *Handlers) signup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
		Bio  string `json:"bio"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&in); err != nil || strings.TrimSpace(in.Name) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "name is required"})
		return
	}
	now := h.Clock().UTC()
	p := Profile{ID: h.NewID(), Name: in.Name, Bio: in.Bio, JoinedAt: now}
	b, _ := json.Marshal(p)
	ctx := r.Context()
	if err := h.Signups.Put(ctx, "profile:"+p.ID, b, store.PutOptions{}); err != nil {
		writeError(w, err)
		return
	}
	if err := h.Signups.Put(ctx, "site:last-signup", []byte(now.Format(time.RFC3339)), store.PutOptions{}); err != nil { // EXPECT kvhotkey
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

// withSession loads the session named by the cookie and keeps it alive.
func (h *Handlers) withSession(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := h.touchSession(r)
		if err != nil {
			writeError(w, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	}
}

func (h *Handlers) touchSession(r *http.Request) (Session, error) {
	c, err := r.Cookie(h.Config.Sessions.CookieName)
	if err != nil || c.Value == "" {
		return Session{}, errUnauthenticated
	}
	ctx := r.Context()
	key := "sess:" + c.Value
	b, err := h.Sessions.Get(ctx, key)
	if store.IsNotFound(err) {
		return Session{}, errUnauthenticated
	}
	if err != nil {
		return Session{}, err
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return Session{}, errUnauthenticated
	}
	s.LastSeen = h.Clock().UTC()
	enc, _ := json.Marshal(s)
	if err := h.Sessions.Put(ctx, key, enc, store.PutOptions{TTL: h.Config.Sessions.TTL()}); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s, nil
}

// claimSubdomain reserves name.lantern.events for the caller's tenant.
func (h *Handlers) claimSubdomain(w http.ResponseWriter, r *http.Request) {
	name := strings.ToLower(r.PathValue("name"))
	if len(name) < 3 || len(name) > 40 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid subdomain"})
		return
	}
	ctx := r.Context()
	key := "subdomain:" + name
	if _, err := h.Data.Get(ctx, key); err == nil {
		writeError(w, errTaken)
		return
	} else if !store.IsNotFound(err) {
		writeError(w, err)
		return
	}
	s := sessionFrom(ctx)
	if err := h.Data.Put(ctx, key, []byte(s.TenantID), store.PutOptions{}); err != nil { // EXPECT kvrace
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"subdomain": name, "tenant": s.TenantID})
}
