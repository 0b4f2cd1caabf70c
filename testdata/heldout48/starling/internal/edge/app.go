//go:build js && wasm

// Package edge is the Starling edge worker: public RSS feeds, episode pages,
// listener sign-in and playback state, served from Workers KV.
package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"

	"starling/internal/keys"
	"starling/internal/kvstore"
)

// Config is read from the worker's environment.
type Config struct {
	OriginURL  string
	FeedTTL    time.Duration
	SessionTTL time.Duration
	CookieName string
}

// App holds the worker's bindings.
type App struct {
	cfg       Config
	feeds     *kvstore.Store // FEEDS: rendered feeds, episode docs, show settings
	sessions  *kvstore.Store // SESSIONS: sign-in state
	listeners *kvstore.Store // LISTENERS: per-listener playback state
	feedCache *kvstore.Cache
	origin    *Origin
	log       *slog.Logger
}

const (
	feedRoot     keys.Key = "feed"
	showRoot     keys.Key = "show"
	sessionRoot  keys.Key = "sess"
	listenerRoot keys.Key = "listener"
)

// New opens the bindings.
func New(cfg Config, log *slog.Logger) (*App, error) {
	var stores [3]*kvstore.Store
	for i, binding := range []string{"FEEDS", "SESSIONS", "LISTENERS"} {
		s, err := kvstore.Open(binding)
		if err != nil {
			return nil, err
		}
		stores[i] = s
	}
	return &App{
		cfg:       cfg,
		feeds:     stores[0],
		sessions:  stores[1],
		listeners: stores[2],
		feedCache: kvstore.NewCache(stores[0], cfg.FeedTTL, 30*time.Second),
		origin:    &Origin{base: strings.TrimRight(cfg.OriginURL, "/"), http: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)},
		log:       log,
	}, nil
}

// statusError carries the HTTP status a handler failed with. Other errors
// are upstream (KV or origin) failures.
type statusError struct {
	code int
	err  error
}

func (e statusError) Error() string { return fmt.Sprintf("%d: %v", e.code, e.err) }

func status(code int, err error) error { return statusError{code, err} }

func (a *App) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		code, se := http.StatusBadGateway, statusError{}
		if errors.As(err, &se) {
			code = se.code
		} else {
			a.log.Error("request failed", "path", r.URL.Path, "err", err)
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// Routes returns the worker's HTTP handler.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed/{show}", a.handle(a.serveFeed))
	mux.HandleFunc("GET /shows/{show}/episodes", a.handle(a.serveEpisodeIndex))
	mux.HandleFunc("GET /shows/{show}/episodes/{ep}", a.handle(a.serveEpisode))
	mux.HandleFunc("GET /shows/{show}/seasons/{season}", a.handle(a.serveSeason))
	mux.HandleFunc("GET /shows/{show}/live", a.handle(a.serveLive))
	mux.HandleFunc("PUT /shows/{show}/episodes/{ep}/chapters", a.handle(a.putChapters))
	mux.HandleFunc("POST /shows/{show}/slug", a.handle(a.claimSlug))
	mux.HandleFunc("POST /internal/published", a.handle(a.onPublished))
	mux.HandleFunc("POST /login/code", a.handle(a.sendCode))
	mux.HandleFunc("POST /login", a.handle(a.login))
	mux.HandleFunc("POST /logout", a.handle(a.logout))
	mux.HandleFunc("POST /me/signout-everywhere", a.handle(a.signOutEverywhere))
	mux.HandleFunc("POST /me/upgraded", a.handle(a.onUpgraded))
	mux.HandleFunc("GET /me/position/{show}/{ep}", a.handle(a.getPosition))
	mux.HandleFunc("PUT /me/position/{show}/{ep}", a.handle(a.putPosition))
	mux.HandleFunc("POST /me/queue", a.handle(a.enqueue))
	return mux
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

// Origin talks to the backend API, the source of truth for shows and
// listeners. A nil form makes a GET, otherwise a form POST.
type Origin struct {
	base string
	http *http.Client
}

func (o *Origin) call(ctx context.Context, path string, form url.Values, out any) error {
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := o.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("origin %s %s: %s", method, path, res.Status)
	}
	if s, ok := out.(*string); ok {
		b, err := io.ReadAll(res.Body)
		*s = string(b)
		return err
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// Fetch returns an origin document as text: a rendered feed or an episode.
func (o *Origin) Fetch(ctx context.Context, path ...string) (string, error) {
	for i := range path {
		path[i] = url.PathEscape(path[i])
	}
	var doc string
	err := o.call(ctx, "/v1/shows/"+strings.Join(path, "/"), nil, &doc)
	return doc, err
}

// Episode is the public document of one episode.
type Episode struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	AudioURL  string    `json:"audio_url"`
	PublishAt time.Time `json:"publish_at"`
}

// Shows lists the slugs of all public shows.
func (o *Origin) Shows(ctx context.Context) ([]string, error) {
	var shows []string
	err := o.call(ctx, "/v1/shows", nil, &shows)
	return shows, err
}

// Listener resolves a verified email to a listener ID, creating the listener
// on first sign-in.
func (o *Origin) Listener(ctx context.Context, email string) (string, error) {
	var out struct{ Listener string }
	err := o.call(ctx, "/v1/listeners/resolve", url.Values{"email": {email}}, &out)
	return out.Listener, err
}

// SendMail asks the backend to deliver a templated email.
func (o *Origin) SendMail(ctx context.Context, to, template, link string) error {
	return o.call(ctx, "/v1/mail", url.Values{"to": {to}, "template": {template}, "link": {link}}, new(struct{}))
}
