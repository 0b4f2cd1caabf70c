//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/syumai/workers/cloudflare"

	"github.com/forumworks/guillemot/internal/edgekv"
)

const maxBioRunes = 280

// sessionStore opens the SESSIONS binding for this request.
func sessionStore() (*Store, error) {
	ns, err := cloudflare.NewKVNamespace("SESSIONS")
	if err != nil {
		return nil, err
	}
	return NewStore(ns, []byte(cloudflare.Getenv("SESSION_HASH_KEY")), []byte(cloudflare.Getenv("SESSION_BLOCK_KEY"))), nil
}

// me handles GET /me: it redirects signed-in members to their profile and
// keeps their session alive while they browse.
func (a *App) me(w http.ResponseWriter, r *http.Request) {
	ctx, span := tracer.Start(r.Context(), "edge.me")
	defer span.End()
	store, err := sessionStore()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	sess, err := store.Get(r, sessionCookie)
	uid, _ := sess.Values["uid"].(string)
	if err != nil || sess.IsNew || uid == "" || sess.Values["mfa"] != nil {
		http.Redirect(w, r, "/login?next=/me", http.StatusSeeOther)
		return
	}

	moderation, err := edgekv.Open("MODERATION")
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if _, suspended, err := moderation.Text(ctx, "suspended:"+uid, 60); err == nil && suspended {
		sess.Options.MaxAge = -1
		_ = sess.Save(r, w)
		http.Redirect(w, r, "/suspended", http.StatusSeeOther)
		return
	}

	sess.Values["seen_at"] = time.Now().Unix()
	if err := sess.Save(r, w); err != nil { // EXPECT kvsession|kvrace
		span.RecordError(err)
	}
	handle, _ := sess.Values["handle"].(string)
	http.Redirect(w, r, "/u/"+handle, http.StatusSeeOther)
}

// editBio handles POST /me/bio. Bios are edited at the edge so that the
// change shows on the member's profile page right away.
func (a *App) editBio(w http.ResponseWriter, r *http.Request) {
	_, span := tracer.Start(r.Context(), "edge.edit_bio")
	defer span.End()
	store, err := sessionStore()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	sess, err := store.Get(r, sessionCookie)
	handle, _ := sess.Values["handle"].(string)
	if err != nil || sess.IsNew || handle == "" || sess.Values["mfa"] != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	bio := strings.TrimSpace(r.PostFormValue("bio"))
	if utf8.RuneCountInString(bio) > maxBioRunes {
		http.Error(w, "bio too long", http.StatusBadRequest)
		return
	}

	ns, err := cloudflare.NewKVNamespace("PROFILES")
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	key := "profile:" + strings.ToLower(handle)
	raw, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if raw == edgekv.Null {
		http.NotFound(w, r)
		return
	}
	var p Profile
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		http.Error(w, "bad profile", http.StatusInternalServerError)
		return
	}
	p.Bio = bio
	data, err := json.Marshal(p)
	if err != nil {
		http.Error(w, "bad profile", http.StatusInternalServerError)
		return
	}
	if err := ns.PutString(key, string(data), nil); err != nil { // EXPECT kvrace
		span.RecordError(err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/u/"+p.Handle, http.StatusSeeOther)
}
