//go:build js && wasm

package edge

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	_ "github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

type profile struct {
	UserID  string `json:"user_id"`
	Name    string `json:"name"`
	Bio     string `json:"bio"`
	Joined  string `json:"joined"`
	Premium bool   `json:"premium"`
}

// handleProfile is a read-through cache in front of the D1 profiles table.
func handleProfile(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	userID := r.PathValue("user")
	key := "profile:" + userID
	if raw, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 120}); err == nil && !isMissing(raw) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(raw))
		return
	}
	db, err := sql.Open("d1", "DB")
	if err != nil {
		http.Error(w, "db", http.StatusInternalServerError)
		return
	}
	defer db.Close()
	var p profile
	err = db.QueryRowContext(r.Context(),
		"SELECT user_id, name, bio, joined, premium FROM profiles WHERE user_id = ?", userID).
		Scan(&p.UserID, &p.Name, &p.Bio, &p.Joined, &p.Premium)
	if errors.Is(err, sql.ErrNoRows) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "db", http.StatusInternalServerError)
		return
	}
	raw, _ := json.Marshal(p)
	_ = ns.PutString(key, string(raw), &kv.PutOptions{ExpirationTTL: 3600})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,31}$`)

// handleVanity redirects a vanity slug to its guild page and counts visits.
func handleVanity(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	slug := r.PathValue("slug")
	guild, err := ns.GetString("slug:"+slug, &kv.GetOptions{CacheTTL: 3600})
	if err != nil || isMissing(guild) {
		http.NotFound(w, r)
		return
	}
	viewsKey := "views:" + slug
	raw, _ := ns.GetString(viewsKey, nil) // EXPECT kvnull
	views, _ := strconv.Atoi(raw)
	_ = ns.PutString(viewsKey, strconv.Itoa(views+1), nil) // EXPECT kvcounter|kvrace
	http.Redirect(w, r, "/g/"+guild+"/leaderboard", http.StatusFound)
}

// handleClaim lets a premium guild reserve a vanity slug.
func handleClaim(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	sess, ok := currentSession(r, ns)
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	slug := r.FormValue("slug")
	guild := r.FormValue("guild")
	if !slugPattern.MatchString(slug) || !sess.manages(guild) {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	owner, err := ns.GetString("slug:"+slug, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !isMissing(owner) {
		http.Error(w, "that name is taken", http.StatusConflict)
		return
	}
	if err := ns.PutString("slug:"+slug, guild, nil); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, "https://accentor.gg/p/%s now points to your server.", slug)
}

// session is the dashboard login, sess:<id>.
type session struct {
	UserID   string    `json:"user_id"`
	Guilds   []string  `json:"guilds"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

func (s session) manages(guild string) bool {
	for _, g := range s.Guilds {
		if g == guild {
			return true
		}
	}
	return false
}

const sessionTTL = 7 * 24 * 3600

func currentSession(r *http.Request, ns *kv.Namespace) (session, bool) {
	c, err := r.Cookie("sid")
	if err != nil {
		return session{}, false
	}
	raw, err := ns.GetString("sess:"+c.Value, nil)
	if err != nil || isMissing(raw) {
		return session{}, false
	}
	var s session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return session{}, false
	}
	if rb, err := ns.GetString("revoked-before:"+s.UserID, &kv.GetOptions{CacheTTL: 60}); err == nil && !isMissing(rb) {
		if ts, err := strconv.ParseInt(rb, 10, 64); err == nil && s.Created.Unix() < ts {
			return session{}, false
		}
	}
	return s, true
}

// handleLogin finishes Discord OAuth (done by the gateway service, which
// passes the verified identity in a signed query) and opens a session.
func handleLogin(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	userID, guilds, ok := verifyLoginTicket(r.URL.Query().Get("ticket"))
	if !ok {
		http.Error(w, "bad ticket", http.StatusBadRequest)
		return
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		http.Error(w, "entropy", http.StatusInternalServerError)
		return
	}
	id := base64.RawURLEncoding.EncodeToString(buf)
	now := time.Now().UTC()
	raw, _ := json.Marshal(session{UserID: userID, Guilds: guilds, Created: now, LastSeen: now})
	if err := ns.PutString("sess:"+id, string(raw), &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: sessionTTL})
	http.Redirect(w, r, "/dashboard", http.StatusFound)
}

// handleDashboard shows the signed-in member's guilds and keeps the session
// alive while it is being used.
func handleDashboard(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	s, ok := currentSession(r, ns)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	c, _ := r.Cookie("sid")
	s.LastSeen = time.Now().UTC()
	raw, _ := json.Marshal(s)
	_ = ns.PutString("sess:"+c.Value, string(raw), &kv.PutOptions{ExpirationTTL: sessionTTL}) // EXPECT kvsession|kvrace
	writeJSON(w, map[string]any{"user": s.UserID, "guilds": s.Guilds})
}

func handleLogout(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	if c, err := r.Cookie("sid"); err == nil {
		_ = ns.Delete("sess:" + c.Value) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusFound)
}

// handleLogoutAll invalidates every session of the member created before now.
func handleLogoutAll(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	s, ok := currentSession(r, ns)
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := ns.PutString("revoked-before:"+s.UserID, stamp, &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
