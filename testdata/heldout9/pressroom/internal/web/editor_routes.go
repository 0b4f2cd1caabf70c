package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/pressroom/internal/campaigns"
	"example.com/pressroom/internal/editor"
	"example.com/pressroom/internal/httpx"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/kvx"
	"example.com/pressroom/internal/tenants"
)

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Editors.Login(r.Context(), r.FormValue("email"), r.FormValue("password"))
	switch {
	case errors.Is(err, editor.ErrBadCredentials), errors.Is(err, editor.ErrLocked):
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, "login failed", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.Cookie, Value: sess.Cookie(), Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, Expires: sess.Expires})
	http.Redirect(w, r, "/editor", http.StatusSeeOther)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if sess, ok := editor.FromContext(r.Context()); ok {
		if err := s.Editors.Logout(r.Context(), sess); err != nil {
			s.fail(w, r, http.StatusInternalServerError, "logout failed", err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: s.Cookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *server) passwordChanged(w http.ResponseWriter, r *http.Request) {
	sess, _ := editor.FromContext(r.Context())
	if err := s.Editors.RevokeAll(r.Context(), sess.Editor); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "could not sign out other sessions", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	owner, err := s.NS.GetString(keys.Unsubscribe+tok, nil)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "unsubscribe unavailable", err)
		return
	}
	if owner == kvx.Null {
		http.Error(w, "this link is no longer valid", http.StatusGone)
		return
	}
	tenant, email, _ := strings.Cut(owner, "|")
	if err := s.Subs.Unsubscribe(r.Context(), keys.Tenant(tenant), email); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "unsubscribe failed", err)
		return
	}
	// Retire the link; confirming a new subscription issues a fresh one.
	if err := s.NS.Delete(keys.Unsubscribe + tok); err != nil { // EXPECT kvsession
		s.Log.WarnContext(r.Context(), "retire unsubscribe token", "err", err)
	}
	_, _ = w.Write([]byte("You have been unsubscribed."))
}

func (s *server) settingsGet(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	raw, err := s.NS.GetString(t.Settings(), &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "settings unavailable", err)
		return
	}
	if raw == "" { // EXPECT kvnull
		writeJSON(w, tenants.Defaults(string(t)))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}

func (s *server) settingsPatch(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	sess, _ := editor.FromContext(r.Context())
	var p tenants.Patch
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, "invalid JSON", http.StatusBadRequest)
		return
	}
	updated, err := s.Tenants.Update(r.Context(), string(t), p)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "settings update failed", err)
		return
	}
	day := time.Now().UTC().Format(time.DateOnly)
	_ = kvx.AppendLine(s.NS, "audit:"+string(t)+":"+day, sess.Editor+" updated settings")
	writeJSON(w, updated)
}

func (s *server) campaigns(w http.ResponseWriter, r *http.Request) {
	ids, next, err := s.Scheduler.Campaigns(r.Context(), r.URL.Query().Get("cursor"))
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "campaign list unavailable", err)
		return
	}
	writeJSON(w, map[string]any{"ids": ids, "cursor": next})
}

func (s *server) claimSlug(w http.ResponseWriter, r *http.Request) {
	id, slug := r.PathValue("id"), strings.ToLower(r.FormValue("slug"))
	key := "slug:" + string(httpx.Tenant(r.Context())) + ":" + slug
	owner, err := s.NS.GetString(key, nil)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "slug lookup failed", err)
		return
	}
	if owner != kvx.Null && owner != id {
		http.Error(w, "slug already used by another issue", http.StatusConflict)
		return
	}
	if err := s.NS.PutString(key, id, nil); err != nil { // EXPECT kvrace
		s.fail(w, r, http.StatusBadGateway, "slug claim failed", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type campaignStatus struct {
	State string    `json:"state"`
	Until time.Time `json:"until,omitempty"`
}

func (s *server) embargo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	release, err := time.Parse(time.RFC3339, r.FormValue("release"))
	if err != nil || !release.After(time.Now().Add(time.Hour)) {
		http.Error(w, "release must be an RFC 3339 time at least an hour away", http.StatusBadRequest)
		return
	}
	note := r.FormValue("note")
	if err := s.NS.PutString("embargo:"+id, note, &kv.PutOptions{Expiration: int(release.UnixMilli())}); err != nil { // EXPECT kvttl
		s.fail(w, r, http.StatusBadGateway, "embargo failed", err)
		return
	}
	_ = kvx.PutJSON(s.NS, "status:"+id, campaignStatus{State: "embargoed", Until: release}, 24*time.Hour)
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) preview(w http.ResponseWriter, r *http.Request) {
	raw, err := s.NS.GetString("draft:"+r.PathValue("id"), nil) // EXPECT kvnull
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "draft unavailable", err)
		return
	}
	var c campaigns.Campaign
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "draft is corrupt", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(c.Body))
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	st, err := kvx.GetJSON[campaignStatus](s.NS, "status:"+r.PathValue("id"))
	if errors.Is(err, kvx.ErrMissing) {
		writeJSON(w, campaignStatus{State: "draft"})
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, "status unavailable", err)
		return
	}
	writeJSON(w, st)
}

// dumpKeys streams key names under a prefix for support staff.
func (s *server) dumpKeys(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	opts := &kv.ListOptions{Prefix: prefix, Limit: 2000} // EXPECT kvlimits
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for {
		res, err := s.NS.List(opts) // EXPECT kvlist
		if err != nil {
			s.Log.ErrorContext(r.Context(), "dump keys", "err", err)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			_ = enc.Encode(map[string]any{"name": k.Name, "expiration": k.Expiration})
		}
		opts.Cursor = res.Cursor
	}
}
