// Package api is the registration portal's HTTP API.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/adddrop"
	"github.com/kokako-uni/kokako/internal/jobs"
	"github.com/kokako-uni/kokako/internal/kvstore"
	"github.com/kokako-uni/kokako/internal/pins"
	"github.com/kokako-uni/kokako/internal/seats"
	"github.com/kokako-uni/kokako/internal/session"
	"github.com/kokako-uni/kokako/internal/term"
	"github.com/kokako-uni/kokako/internal/waitlist"
)

const cookieName = "kokako_sid"

// Params are the handlers' dependencies, all resolved by dig.
type Params struct {
	dig.In

	Log       *slog.Logger
	Sessions  *session.Store
	SessionKV *kvstore.Namespace `name:"sessions"`
	Seats     *seats.SeatStore
	Pins      *pins.Store
	Waitlists *waitlist.Service
	Limits    *adddrop.Limiter
	Terms     *term.Service
	Views     *jobs.ViewCounter `optional:"true"`
}

// API holds the handlers.
type API struct {
	Params
}

// New is the dig constructor.
func New(p Params) *API { return &API{Params: p} }

// Routes registers every endpoint.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("GET /sso/callback", a.ssoCallback)
	mux.HandleFunc("POST /password", a.changePassword)
	mux.HandleFunc("GET /sections/{id}", a.section)
	mux.HandleFunc("POST /cart/{id}", a.addToCart)
	mux.HandleFunc("POST /sections/{id}/enrol", a.enrol)
	mux.HandleFunc("POST /sections/{id}/waitlist", a.joinWaitlist)
	mux.HandleFunc("POST /sections/{id}/bench/{seat}", a.claimBench)
	mux.HandleFunc("POST /pin", a.redeemPIN)
	mux.HandleFunc("GET /terms/{term}/courses/{course}/blurb", a.blurb)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// current loads the caller's session and records the activity.
func (a *API) current(w http.ResponseWriter, r *http.Request) (*session.Session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return nil, false
	}
	sess, err := a.Sessions.Load(r.Context(), c.Value)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return nil, false
	}
	if revoked, err := a.SessionKV.Get(r.Context(), "revoked:"+sess.ID); err == nil && len(revoked) > 0 {
		http.Error(w, "session revoked", http.StatusUnauthorized)
		return nil, false
	}
	if err := a.Sessions.Touch(r.Context(), sess); err != nil {
		a.Log.Warn("touch session", "err", err)
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := a.SessionKV.Put(r.Context(), "portal:last-activity", stamp, 0); err != nil { // EXPECT kvhotkey
		a.Log.Warn("activity stamp", "err", err)
	}
	return sess, true
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Student string `json:"student"`
		Term    string `json:"term"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sess, err := a.Sessions.Create(r.Context(), in.Student, in.Term, []string{"student"})
	if err != nil {
		http.Error(w, "login failed", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sess.ID, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	writeJSON(w, http.StatusOK, map[string]string{"csrf": sess.CSRF})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		if err := a.Sessions.Destroy(r.Context(), c.Value); err != nil {
			a.Log.Warn("logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// ssoCallback finishes the university single sign-on round trip.
func (a *API) ssoCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	raw, err := a.SessionKV.Get(r.Context(), "oauth-state:"+state)
	if err != nil {
		http.Error(w, "unknown sign-in attempt", http.StatusBadRequest)
		return
	}
	var pending struct {
		Term     string `json:"term"`
		ReturnTo string `json:"return_to"`
	}
	_ = json.Unmarshal(raw, &pending)
	if err := a.SessionKV.Delete(r.Context(), "oauth-state:"+state); err != nil { // EXPECT kvsession
		a.Log.Warn("consume state", "err", err)
	}
	student := r.Header.Get("X-SSO-Subject")
	sess, err := a.Sessions.Create(r.Context(), student, pending.Term, []string{"student"})
	if err != nil {
		http.Error(w, "login failed", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sess.ID, HttpOnly: true, Secure: true})
	http.Redirect(w, r, pending.ReturnTo, http.StatusFound)
}

// changePassword revokes every other session of the student.
func (a *API) changePassword(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.current(w, r)
	if !ok {
		return
	}
	var in struct {
		Others []string `json:"other_sessions"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	for _, id := range in.Others {
		if id == sess.ID {
			continue
		}
		if err := a.SessionKV.Put(r.Context(), "revoked:"+id, []byte("password-change"), 9*time.Hour); err != nil { // EXPECT kvsession
			a.Log.Warn("revoke", "session", id, "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) section(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if a.Views != nil {
		a.Views.Hit(id)
	}
	avail, err := a.Seats.Availability(r.Context(), id)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, avail)
}

// Cart is the student's planned schedule before enrolment.
type Cart struct {
	Student  string    `json:"student"`
	Sections []string  `json:"sections"`
	Updated  time.Time `json:"updated"`
}

func (a *API) addToCart(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.current(w, r)
	if !ok {
		return
	}
	key := "cart:" + sess.StudentID
	cart := Cart{Student: sess.StudentID}
	raw, err := a.SessionKV.Get(r.Context(), key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &cart); err != nil {
			http.Error(w, "corrupt cart", http.StatusInternalServerError)
			return
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		http.Error(w, "cart unavailable", http.StatusBadGateway)
		return
	}
	if id := r.PathValue("id"); !slices.Contains(cart.Sections, id) {
		cart.Sections = append(cart.Sections, id)
	}
	cart.Updated = time.Now().UTC()
	out, _ := json.Marshal(cart)
	if err := a.SessionKV.Put(r.Context(), key, out, 30*24*time.Hour); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, "cart unavailable", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, cart)
}

func (a *API) enrol(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.current(w, r)
	if !ok {
		return
	}
	if err := a.Limits.Record(r.Context(), sess.StudentID, adddrop.Add); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	left, err := a.Seats.Reserve(r.Context(), r.PathValue("id"))
	if errors.Is(err, seats.ErrFull) {
		http.Error(w, "section full", http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"open": left})
}

func (a *API) joinWaitlist(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.current(w, r)
	if !ok {
		return
	}
	section := r.PathValue("id")
	pos, err := a.Waitlists.Join(r.Context(), section, sess.StudentID, 3)
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"position": pos})

	go a.rememberRecent(context.WithoutCancel(r.Context()), sess.StudentID, section)
}

// rememberRecent keeps the last few sections a student looked at, newest
// first, for the portal's "recent" strip.
func (a *API) rememberRecent(ctx context.Context, student, section string) {
	key := "recent:" + student
	var recent []string
	if raw, err := a.SessionKV.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &recent)
	}
	recent = slices.DeleteFunc(recent, func(s string) bool { return s == section })
	recent = append([]string{section}, recent...)
	recent = recent[:min(len(recent), 8)]
	out, _ := json.Marshal(recent)
	if err := a.SessionKV.Put(ctx, key, out, 90*24*time.Hour); err != nil { // EXPECT kvrace
		a.Log.Warn("recent", "err", err)
	}
}

func (a *API) claimBench(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.current(w, r)
	if !ok {
		return
	}
	seat, err := strconv.Atoi(r.PathValue("seat"))
	if err != nil {
		http.Error(w, "bad seat", http.StatusBadRequest)
		return
	}
	switch err := a.Seats.Claim(r.Context(), r.PathValue("id"), seat, sess.StudentID); {
	case errors.Is(err, seats.ErrClaimed):
		http.Error(w, "taken", http.StatusConflict)
	case err != nil:
		http.Error(w, "try again", http.StatusBadGateway)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *API) redeemPIN(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.current(w, r)
	if !ok {
		return
	}
	var in struct {
		PIN string `json:"pin"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	switch err := a.Pins.Redeem(r.Context(), sess.StudentID, sess.Term, in.PIN); {
	case errors.Is(err, pins.ErrLocked):
		http.Error(w, "locked", http.StatusTooManyRequests)
	case errors.Is(err, pins.ErrBadPIN):
		http.Error(w, "invalid PIN", http.StatusForbidden)
	case err != nil:
		http.Error(w, "try again", http.StatusBadGateway)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *API) blurb(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.Terms.Blurb(r.Context(), w, r.PathValue("course")); err != nil {
		a.Log.Warn("blurb", "err", err)
	}
}
