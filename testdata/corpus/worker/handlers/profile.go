package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"kvlint.test/corpus/worker/kvstore"
)

type profile struct {
	Name      string   `json:"name"`
	AvatarURL string   `json:"avatar_url"`
	Badges    []string `json:"badges"`
}

// UpdateAvatar changes one field of the stored profile.
func UpdateAvatar(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-User")
	store, err := kvstore.Open("PROFILES", "profile:")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var p profile
	if err := store.GetJSON(uid, &p); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.AvatarURL = r.FormValue("avatar_url")
	if err := store.PutJSON(uid, p, 30*24*time.Hour); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// PublicProfile serves a cached, rendered copy of a profile.
func PublicProfile(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	cache, err := kvstore.Open("PROFILES", "public:")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var view map[string]any
	if err := cache.GetJSON(uid, &view); err == nil {
		json.NewEncoder(w).Encode(view)
		return
	}
	src, err := kvstore.Open("PROFILES", "profile:")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var p profile
	if err := src.GetJSON(uid, &p); err != nil {
		http.NotFound(w, r)
		return
	}
	view = map[string]any{"name": p.Name, "avatar": p.AvatarURL, "badges": len(p.Badges)}
	_ = cache.PutJSON(uid, view, 45*time.Second) // EXPECT kvttl
	json.NewEncoder(w).Encode(view)
}

// ProfileFragment caches an HTML fragment for as long as the origin says,
// through the clamping helper.
func ProfileFragment(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	cache, _ := kvstore.Open("PROFILES", "fragment:")
	html, hdr, err := fetchOrigin(r.Context(), "/fragments/profile/"+uid)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	maxAge, _ := strconv.Atoi(hdr.Get("X-Fragment-Max-Age"))
	_ = cache.PutJSONAtLeastMinute(uid, html, time.Duration(maxAge)*time.Second)
	_ = cache.PutJSONAtLeastMinute(uid+":short", html, 10*time.Second)
	w.Write([]byte(html))
}

// StoreNote keeps a scratch note via the raw setter.
func StoreNote(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-User")
	notes, _ := kvstore.Open("NOTES", "note:")
	_ = notes.SetRaw(uid, r.FormValue("text"), 24*time.Hour)
}
