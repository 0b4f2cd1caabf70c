//go:build js && wasm

package main

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/quillhaus/turnstone/internal/auth"
	"github.com/quillhaus/turnstone/internal/config"
	"github.com/quillhaus/turnstone/internal/kvstore"
	"github.com/quillhaus/turnstone/internal/pages"
	"github.com/quillhaus/turnstone/internal/publish"
	"github.com/quillhaus/turnstone/internal/subscribers"
)

type services struct {
	ns      *namespaces
	metrics *kvstore.Metrics
	log     *slog.Logger
	mail    *mailer
	auth    *auth.Service
	subs    *subscribers.Service
	pages   *pages.Cache
	pub     *publish.Service
}

func newServices(log *slog.Logger, m *kvstore.Metrics) (*services, error) {
	ns, err := open()
	if err != nil {
		return nil, err
	}
	mail, err := newMailer()
	if err != nil {
		return nil, err
	}
	pc := pages.New(ns.pages, ns.content, &httpOrigin{base: cloudflare.Getenv("ORIGIN_URL")}, m, log)
	return &services{
		ns: ns, metrics: m, log: log, mail: mail, pages: pc,
		auth: auth.New(ns.sessions, m),
		subs: subscribers.New(ns.subs, m),
		pub:  publish.New(ns.content, pc, m),
	}, nil
}

func (s *services) routes() *http.ServeMux {
	mux := http.NewServeMux()
	s.handle(mux, "POST /lists/{list}/subscribe", s.subscribe)
	s.handle(mux, "GET /confirm/{token}", s.confirm)
	s.handle(mux, "POST /lists/{list}/unsubscribe", s.unsubscribe)
	s.handle(mux, "POST /lists/{list}/pause", s.pause)
	s.handle(mux, "POST /login", s.login)
	s.handle(mux, "GET /auth/{token}", s.redeem)
	s.handle(mux, "POST /logout", s.logout)
	s.handle(mux, "POST /admin/articles/{id}/publish", s.publish)
	s.handle(mux, "PUT /admin/articles/{id}/draft", s.draft)
	s.handle(mux, "GET /admin/keys", s.adminKeys)
	s.handle(mux, "GET /admin/metrics", func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, s.metrics.Snapshot())
		return nil
	})
	mux.HandleFunc("GET /{$}", s.pages.Home)
	mux.HandleFunc("GET /tag/{tag}", s.pages.Tag)
	mux.HandleFunc("GET /a/{slug}", func(w http.ResponseWriter, r *http.Request) {
		s.pages.Article(w, r)
		if sess, err := s.auth.Current(r); err == nil {
			if err := s.auth.Touch(sess, r.URL.Path); err != nil {
				s.log.Warn("touch failed", "err", err)
			}
		}
	})
	return mux
}

// handle registers fn; routes under /admin/ also require the admin token.
func (s *services) handle(mux *http.ServeMux, pattern string, fn func(http.ResponseWriter, *http.Request) error) {
	adminOnly := strings.Contains(pattern, " /admin/")
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		want := "Bearer " + cloudflare.Getenv("ADMIN_TOKEN")
		if adminOnly && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
			s.fail(w, errForbidden)
		} else if err := fn(w, r); err != nil {
			s.fail(w, err)
		}
	})
}

// noContent answers 204 when err is nil.
func noContent(w http.ResponseWriter, err error) error {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
	}
	return err
}

var errForbidden = errors.New("forbidden")

func (s *services) fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, auth.ErrNoSession):
		status = http.StatusUnauthorized
	case errors.Is(err, subscribers.ErrTooMany):
		status = http.StatusTooManyRequests
	case errors.Is(err, auth.ErrInvalidLink), errors.Is(err, subscribers.ErrUnknownToken):
		status = http.StatusGone
	case errors.Is(err, publish.ErrSlugTaken), errors.Is(err, publish.ErrBusy):
		status = http.StatusConflict
	case errors.Is(err, subscribers.ErrListClosed), errors.Is(err, errForbidden):
		status = http.StatusForbidden
	default:
		s.log.Error("request failed", "err", err)
	}
	http.Error(w, http.StatusText(status), status)
}

func (s *services) subscribe(w http.ResponseWriter, r *http.Request) error {
	email := r.FormValue("email")
	tok, err := s.subs.Subscribe(r.PathValue("list"), email, r.Header.Get("CF-Connecting-IP"))
	if err == nil && tok != "" {
		err = s.mail.send("confirm", email, "/confirm/"+tok)
	}
	if err == nil {
		w.WriteHeader(http.StatusAccepted)
	}
	return err
}

func (s *services) confirm(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.subs.Confirm(r.PathValue("token"))
	if err == nil {
		http.Redirect(w, r, "/welcome?list="+url.QueryEscape(sub.List), http.StatusSeeOther)
	}
	return err
}

func (s *services) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.subs.Unsubscribe(r.PathValue("list"), r.FormValue("email")))
}

func (s *services) pause(w http.ResponseWriter, r *http.Request) error {
	until, err := time.Parse(time.DateOnly, r.FormValue("until"))
	if err != nil || until.Before(time.Now()) {
		http.Error(w, "bad date", http.StatusBadRequest)
		return nil
	}
	return noContent(w, s.subs.Pause(r.PathValue("list"), r.FormValue("email"), until))
}

func (s *services) login(w http.ResponseWriter, r *http.Request) error {
	email := r.FormValue("email")
	tok, err := s.auth.RequestLink(email, r.FormValue("next"))
	if err == nil {
		err = s.mail.send("magic-link", email, "/auth/"+tok)
	}
	if err == nil {
		w.WriteHeader(http.StatusAccepted)
	}
	return err
}

func (s *services) redeem(w http.ResponseWriter, r *http.Request) error {
	sess, next, err := s.auth.Redeem(r.PathValue("token"))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: auth.CookieName, Value: sess.Cookie(), Path: "/",
		MaxAge: int(config.SessionTTL.Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, cmp.Or(next, "/account"), http.StatusSeeOther)
	return nil
}

func (s *services) logout(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.auth.Current(r)
	if err != nil {
		return err
	}
	if r.FormValue("everywhere") == "1" {
		err = s.auth.LogoutEverywhere(sess)
	} else {
		err = s.auth.Logout(sess)
	}
	if err == nil {
		http.SetCookie(w, &http.Cookie{Name: auth.CookieName, Path: "/", MaxAge: -1})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
	return err
}

func (s *services) publish(w http.ResponseWriter, r *http.Request) error {
	var art publish.Article
	if err := json.NewDecoder(r.Body).Decode(&art); err != nil {
		http.Error(w, "bad article", http.StatusBadRequest)
		return nil
	}
	art.ID = r.PathValue("id")
	return noContent(w, s.pub.Publish(art, cmp.Or(r.Header.Get("X-Editor"), "api")))
}

func (s *services) draft(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := errors.Join(s.pub.CacheDraft(id, string(body)), s.pages.Preview(id, string(body))); err != nil {
		return err
	}
	if r.URL.Query().Get("share") != "1" {
		return noContent(w, nil)
	}
	tok, err := s.pub.ShareDraft(id)
	if err == nil {
		writeJSON(w, map[string]string{"path": "/share/" + tok})
	}
	return err
}

// adminKeys returns one page of keys and the cursor for the next one.
func (s *services) adminKeys(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(cmp.Or(q.Get("limit"), "100"))
	byName := map[string]*kvstore.Namespace{"subs": s.ns.subs, "pages": s.ns.pages, "content": s.ns.content}
	ns, ok := byName[cmp.Or(q.Get("ns"), "content")]
	if !ok {
		http.Error(w, "unknown namespace", http.StatusBadRequest)
		return nil
	}
	page, err := ns.List(kvstore.Key(q.Get("prefix")), q.Get("cursor"), min(max(limit, 1), 1000))
	if err == nil {
		writeJSON(w, map[string]any{"keys": page.Keys, "cursor": page.Cursor, "complete": page.Done})
	}
	return err
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// httpOrigin renders pages by calling the publishing backend.
type httpOrigin struct{ base string }

func (o *httpOrigin) Render(ctx context.Context, path string) (string, string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.base+path, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("origin %s: %s", path, res.Status)
	}
	body, err := io.ReadAll(res.Body)
	return string(body), cmp.Or(res.Header.Get("X-Cache-Class"), "article"), err
}

// mailer hands templated mail to the delivery queue.
type mailer struct{ q *queues.Producer }

func newMailer() (*mailer, error) {
	q, err := queues.NewProducer("MAIL_QUEUE")
	return &mailer{q: q}, err
}

func (m *mailer) send(template, to, path string) error {
	link := "https://" + cloudflare.Getenv("PUBLIC_HOST") + path
	return m.q.SendJSON(map[string]string{"template": template, "to": to, "link": link})
}

func (m *mailer) Remind(email, list, token string) error {
	return m.send("confirm-reminder", email, "/confirm/"+token+"?list="+url.QueryEscape(list))
}
