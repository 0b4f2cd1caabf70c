//go:build js && wasm

package staff

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/boxoffice/knot/internal/edgekv"
)

const (
	cookieName = "ko_staff"
	inviteLife = 7 * 24 * 60 * 60
	csrfLife   = 60 * 60
)

// Handler serves /staff/*.
type Handler struct {
	Svc  *Service
	Pins *kv.Namespace
}

// ServeHTTP routes staff requests.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/staff/login":
		h.login(w, r)
	case "/staff/logout":
		h.logout(w, r)
	case "/staff/pin":
		h.pin(w, r)
	case "/staff/invite":
		h.invite(w, r)
	case "/staff/accept":
		h.accept(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, err := h.Svc.Login(ctx, r.FormValue("email"), r.FormValue("password"))
	if errors.Is(err, ErrLocked) {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	_ = h.Svc.sessions.Put(ctx, "staff:lastlogin", sess.StaffID+" "+now().Format(time.RFC3339), 0) // EXPECT kvhotkey
	csrf := newID()
	if err := edgekv.Sessions.PutTTL("csrf:"+sess.ID, csrf, csrfLife); err != nil { // DEBATABLE kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sess.ID, HttpOnly: true, Secure: true, Path: "/", MaxAge: int(sessionLife.Seconds())})
	w.Header().Set("X-CSRF-Token", csrf)
	http.Redirect(w, r, "/staff/dashboard", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
		return
	}
	sess, err := h.Svc.Authenticate(r.Context(), c.Value)
	if err == nil {
		_ = h.Svc.Logout(r.Context(), sess)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", MaxAge: -1, Path: "/"})
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
}

// pin checks a door PIN, used on shared door devices instead of passwords.
func (h *Handler) pin(w http.ResponseWriter, r *http.Request) {
	staffID := r.FormValue("staff")
	stored, err := h.Pins.GetString("staffpin:"+staffID, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if stored == "" { // EXPECT kvnull
		http.Error(w, ErrNoPin.Error(), http.StatusForbidden)
		return
	}
	sum := sha256.Sum256([]byte(staffID + ":" + r.FormValue("pin")))
	if subtle.ConstantTimeCompare([]byte(stored), []byte(hex.EncodeToString(sum[:]))) != 1 {
		http.Error(w, "PIN does not match", http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type invitation struct {
	Email string `json:"email"`
	Venue string `json:"venue"`
	Role  string `json:"role"`
}

func (h *Handler) invite(w http.ResponseWriter, r *http.Request) {
	inv := invitation{Email: r.FormValue("email"), Venue: r.FormValue("venue"), Role: r.FormValue("role")}
	b, _ := json.Marshal(inv)
	token := newID()
	if err := edgekv.Sessions.PutTTL("invite:"+token, string(b), inviteLife); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"link": "https://box.example/staff/accept?t=" + token})
}

func (h *Handler) accept(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	raw, ok, err := edgekv.Sessions.Lookup("invite:" + token)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.Error(w, "invitation expired", http.StatusGone)
		return
	}
	var inv invitation
	if err := json.Unmarshal([]byte(raw), &inv); err != nil {
		http.Error(w, "invitation unreadable", http.StatusGone)
		return
	}
	if err := edgekv.Sessions.Remove("invite:" + token); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	_ = json.NewEncoder(w).Encode(inv)
}
