//go:build js && wasm

// Command ptarmigan-edge is the Worker in front of feeds.ptarmigan.fm and
// the listener API.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"ptarmigan/internal/edge/feedcache"
	"ptarmigan/internal/edge/kvbind"
	"ptarmigan/internal/edge/listeners"
	"ptarmigan/internal/edge/plays"
	"ptarmigan/internal/edge/settings"
)

const sessionCookie = "ptg_sess"

// app is what a request needs; the KV binding is only reachable while a
// request or scheduled event is running, so it is built per invocation.
type app struct {
	root     kvbind.Bucket
	set      *settings.Settings
	sessions *listeners.Manager
	queue    *listeners.Queue
	plays    *plays.Plays
	feeds    *feedcache.Cache
}

func newApp() (*app, error) {
	root, err := kvbind.Open("PTARMIGAN_KV")
	if err != nil {
		return nil, err
	}
	set := settings.Get()
	return &app{
		root:     root,
		set:      set,
		sessions: listeners.NewManager(root, set),
		queue:    listeners.NewQueue(root, set.QueueLimit),
		plays:    plays.New(root),
		feeds:    feedcache.New(root, set),
	}, nil
}

type handler func(a *app, w http.ResponseWriter, r *http.Request)

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := newApp()
	if err != nil {
		slog.Error("edge: binding", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h(a, w, r)
}

func main() {
	mux := http.NewServeMux()
	mux.Handle("GET /feeds/{show}", handler(func(a *app, w http.ResponseWriter, r *http.Request) { a.feeds.ServeFeed(w, r) }))
	mux.Handle("GET /private/{token}", handler(func(a *app, w http.ResponseWriter, r *http.Request) { a.feeds.ServePrivate(w, r) }))
	mux.Handle("GET /directory.json", handler(func(a *app, w http.ResponseWriter, r *http.Request) { a.feeds.ServeDirectory(w, r) }))
	mux.Handle("POST /api/plays", handler(func(a *app, w http.ResponseWriter, r *http.Request) { a.plays.ServeBeacon(w, r) }))
	mux.Handle("POST /api/plays/batch", handler(func(a *app, w http.ResponseWriter, r *http.Request) { a.plays.ServeBatch(w, r) }))
	mux.Handle("GET /api/episodes/{id}/plays", handler(func(a *app, w http.ResponseWriter, r *http.Request) { a.plays.ServeTally(w, r) }))
	mux.Handle("GET /api/shows/{show}/live", handler(func(a *app, w http.ResponseWriter, r *http.Request) { a.plays.ServeLive(w, r) }))
	mux.Handle("POST /login", handler(postLogin))
	mux.Handle("GET /login/{code}", handler(getLogin))
	mux.Handle("POST /logout", handler(postLogout))
	mux.Handle("POST /account/sign-out-everywhere", signedIn(postSignOutEverywhere))
	mux.Handle("GET /api/queue", signedIn(getQueue))
	mux.Handle("POST /api/queue", signedIn(postQueue))

	workers.ServeNonBlock(mux)
	cron.ScheduleTaskNonBlock(scheduled)
	workers.Ready()
	<-workers.Done()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// session returns the signed-in listener, if any, and marks the session
// active.
func (a *app) session(r *http.Request) (listeners.Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return listeners.Session{}, false
	}
	s, ok, err := a.sessions.Lookup(c.Value)
	if err != nil || !ok {
		return listeners.Session{}, false
	}
	if err := a.sessions.Touch(s); err != nil {
		slog.Warn("edge: touching session", "err", err)
	}
	return s, true
}

func postLogin(a *app, w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Email == "" {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	code, err := a.sessions.IssueLink(body.Email)
	if errors.Is(err, listeners.ErrTooManyAttempts) {
		http.Error(w, "too many attempts, try later", http.StatusTooManyRequests)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if err := a.sendLoginMail(body.Email, code); err != nil {
		slog.Error("edge: login mail", "err", err)
		http.Error(w, "could not send mail", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *app) sendLoginMail(email, code string) error {
	payload, _ := json.Marshal(map[string]string{"email": email, "link": "https://ptarmigan.fm/login/" + code})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, a.set.Origin+"/v1/mail/login", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := fetch.NewClient().HTTPClient(fetch.RedirectModeError).Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return errors.New("mail service: " + res.Status)
	}
	return nil
}

func getLogin(a *app, w http.ResponseWriter, r *http.Request) {
	email, err := a.sessions.Redeem(r.PathValue("code"))
	if errors.Is(err, listeners.ErrLinkInvalid) {
		http.Redirect(w, r, "/login?expired=1", http.StatusSeeOther)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	s, err := a.sessions.Start(listenerID(email), email, "free")
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(a.set.SessionTTL.Seconds()),
	})
	http.Redirect(w, r, "/library", http.StatusSeeOther)
}

func postLogout(a *app, w http.ResponseWriter, r *http.Request) {
	if s, ok := a.session(r); ok {
		if err := a.sessions.End(s); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// signedIn wraps handlers that need a listener.
func signedIn(h func(a *app, s listeners.Session, w http.ResponseWriter, r *http.Request)) handler {
	return func(a *app, w http.ResponseWriter, r *http.Request) {
		s, ok := a.session(r)
		if !ok {
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		h(a, s, w, r)
	}
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		slog.Error("edge: request failed", "err", err)
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	writeJSON(w, v)
}

func postSignOutEverywhere(a *app, s listeners.Session, w http.ResponseWriter, r *http.Request) {
	n, err := a.sessions.SignOutEverywhere(s.ListenerID)
	reply(w, map[string]int{"signed_out": n}, err)
}

func getQueue(a *app, s listeners.Session, w http.ResponseWriter, r *http.Request) {
	items, err := a.queue.Items(s.ListenerID)
	reply(w, items, err)
}

func postQueue(a *app, s listeners.Session, w http.ResponseWriter, r *http.Request) {
	var item listeners.QueueItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil || item.EpisodeID == "" {
		http.Error(w, "episode required", http.StatusBadRequest)
		return
	}
	item.AddedAt = time.Now().UTC()
	items, err := a.queue.Add(s.ListenerID, item)
	reply(w, items, err)
}
