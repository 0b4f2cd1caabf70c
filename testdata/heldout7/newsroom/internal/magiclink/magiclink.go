// Package magiclink signs editors in with a one-time link sent by email.
package magiclink

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/newsroom/internal/auth"
	"example.com/newsroom/internal/config"
	"example.com/newsroom/internal/httpx"
	"example.com/newsroom/internal/kvutil"
)

// Mailer sends transactional mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Lookup resolves an email to an editor.
type Lookup interface {
	ByEmail(ctx context.Context, email string) (auth.Editor, error)
}

// Service issues and redeems sign-in links.
type Service struct {
	ns       *kv.Namespace
	sessions *auth.Sessions
	editors  Lookup
	mail     Mailer
	log      *slog.Logger
	siteURL  string
	linkTTL  int
	cfg      config.Config
}

// New builds the service on the AUTH namespace.
func New(ns *kv.Namespace, sessions *auth.Sessions, editors Lookup, mail Mailer, cfg config.Config, log *slog.Logger) *Service {
	return &Service{
		ns:       ns,
		sessions: sessions,
		editors:  editors,
		mail:     mail,
		log:      log,
		siteURL:  cfg.SiteURL,
		linkTTL:  int(cfg.MagicLinkTTL), // EXPECT kvttl
		cfg:      cfg,
	}
}

// Routes returns the handler table.
func (s *Service) Routes() httpx.Routes {
	return httpx.Routes{
		"POST /login/link": s.request,
		"GET /login/link":  s.redeem,
	}
}

func (s *Service) allowed(email string) bool {
	domains, err := kvutil.GetText(s.ns, "auth:allowed-domains")
	if err != nil {
		s.log.Warn("allowed-domains lookup failed", "err", err)
		return false
	}
	if domains == "" { // EXPECT kvnull
		return true
	}
	_, domain, _ := strings.Cut(email, "@")
	for _, d := range strings.Split(domains, ",") {
		if strings.EqualFold(strings.TrimSpace(d), domain) {
			return true
		}
	}
	return false
}

func (s *Service) request(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	ip := r.Header.Get("CF-Connecting-IP")

	// Throttle per client address so the form cannot be used to spam inboxes.
	throttleKey := "ratelimit:magic-link:" + ip
	raw, err := s.ns.GetString(throttleKey, nil)
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	sent := 0
	if raw != "<null>" {
		if n, err := strconv.Atoi(raw); err == nil {
			sent = n
		}
	}
	if sent >= 5 {
		httpx.Error(w, http.StatusTooManyRequests, "too many requests")
		return
	}
	if err := s.ns.PutString(throttleKey, strconv.Itoa(sent+1), &kv.PutOptions{ExpirationTTL: 600}); err != nil { // EXPECT kvcounter
		s.log.Warn("throttle update failed", "err", err)
	}

	// Always answer the same way so the form does not reveal who has an account.
	defer w.WriteHeader(http.StatusAccepted)
	if !s.allowed(email) {
		return
	}
	if _, err := s.editors.ByEmail(ctx, email); err != nil {
		return
	}
	token := auth.NewID()
	if err := s.ns.PutString("magic:"+token, email, &kv.PutOptions{ExpirationTTL: s.linkTTL}); err != nil {
		s.log.Error("store magic link", "err", err)
		return
	}
	link := s.siteURL + "/login/link?t=" + url.QueryEscape(token)
	if err := s.mail.Send(ctx, email, "Your sign-in link", "Sign in to the newsroom: "+link); err != nil {
		s.log.Error("send magic link", "err", err)
	}
}

func (s *Service) redeem(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.URL.Query().Get("t")
	if token == "" {
		httpx.Error(w, http.StatusBadRequest, "missing token")
		return
	}
	email, err := s.ns.GetString("magic:"+token, nil)
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if email == "<null>" {
		httpx.Error(w, http.StatusGone, "this link has expired or was already used")
		return
	}
	if err := s.ns.Delete("magic:" + token); err != nil { // EXPECT kvsession
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	ed, err := s.editors.ByEmail(ctx, email)
	if err != nil {
		httpx.Error(w, http.StatusForbidden, "account disabled")
		return
	}
	sess, err := s.sessions.Create(ctx, ed.ID, ed.Email, ed.Role)
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "could not sign in")
		return
	}
	auth.SetCookie(w, sess, s.cfg.SessionTTL)
	http.Redirect(w, r, "/desk", http.StatusSeeOther)
}
