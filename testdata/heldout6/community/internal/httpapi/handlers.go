package httpapi

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"golang.org/x/sync/errgroup"

	"example.com/community/internal/digest"
	"example.com/community/internal/invites"
	"example.com/community/internal/sessions"
	"example.com/community/internal/store"
	"example.com/community/internal/users"
)

const (
	resetPrefix    = "reset:"
	cooldownPrefix = "resend-cooldown:"
	slugPrefix     = "slug:"
)

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

type credentials struct {
	Handle, Email, Password, Invite string
	Remember                        bool
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request, _ sessions.Session, req credentials) (any, error) {
	ctx := r.Context()
	in := users.SignupInput{Handle: req.Handle, Email: req.Email, Password: req.Password}
	if s.cfg.Flag(ctx, "invite_only") || req.Invite != "" {
		inv, err := s.svc.Invites.Redeem(ctx, req.Invite)
		if err != nil {
			return nil, err
		}
		in.InvitedBy = inv.CreatedBy
	}
	u, err := s.svc.Users.Signup(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.startSession(w, r, u.ID, req.Remember)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ sessions.Session, req credentials) (any, error) {
	u, err := s.svc.Users.Authenticate(r.Context(), req.Handle, req.Password)
	if err != nil {
		return nil, err
	}
	return s.startSession(w, r, u.ID, req.Remember)
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, uid string, remember bool) (any, error) {
	sess, err := s.svc.Sessions.Create(r.Context(), uid, remember, r.UserAgent())
	if err != nil {
		return nil, err
	}
	s.setCookie(w, sess)
	return map[string]string{"user_id": uid}, nil
}

// resendCode mails a new verification code, at most once per cooldown.
func (s *Server) resendCode(_ http.ResponseWriter, r *http.Request, sess sessions.Session, _ struct{}) (any, error) {
	key := cooldownPrefix + sess.UserID
	if _, waiting, err := getString(s.ns.Users, key, nil); err != nil || waiting {
		return nil, httpError{http.StatusTooManyRequests, "please wait before requesting another code"}
	}
	if err := s.ns.Users.PutString(key, "1", &kv.PutOptions{ // DEBATABLE kvrace
		ExpirationTTL: int(2 * time.Minute), // EXPECT kvttl
	}); err != nil {
		return nil, err
	}
	return nil, s.svc.Users.ResendCode(r.Context(), sess.UserID)
}

func (s *Server) requestReset(_ http.ResponseWriter, r *http.Request, _ sessions.Session, req credentials) (any, error) {
	u, err := s.svc.Users.ByEmail(r.Context(), req.Email)
	if store.IsNotFound(err) {
		return nil, nil // don't reveal whether the address exists
	}
	if err != nil {
		return nil, err
	}
	tok := rand.Text()
	err = s.ns.Users.PutString(resetPrefix+tok, u.ID, &kv.PutOptions{
		ExpirationTTL: int(s.cfg.ResetTokenTTL), // EXPECT kvttl
	})
	if err != nil {
		return nil, err
	}
	return nil, s.svc.Mail.Send(r.Context(), u.Email, "Reset your password", s.cfg.BaseURL+"/password/reset?token="+tok)
}

func (s *Server) redeemReset(_ http.ResponseWriter, r *http.Request, _ sessions.Session, req struct{ Token, Password string }) (any, error) {
	uid, ok, err := getString(s.ns.Users, resetPrefix+req.Token, nil)
	if err != nil || !ok || req.Token == "" {
		return nil, httpError{http.StatusBadRequest, "reset link expired"}
	}
	if err := s.svc.Users.SetPassword(r.Context(), uid, req.Password); err != nil {
		return nil, err
	}
	return nil, s.ns.Users.Delete(resetPrefix + req.Token) // EXPECT kvsession
}

// reauth confirms the password and rotates the session id.
func (s *Server) reauth(w http.ResponseWriter, r *http.Request, sess sessions.Session, req credentials) (any, error) {
	u, err := s.svc.Users.Get(r.Context(), sess.UserID)
	if err == nil {
		_, err = s.svc.Users.Authenticate(r.Context(), u.Handle, req.Password)
	}
	if err != nil {
		return nil, err
	}
	fresh, err := s.svc.Sessions.Rotate(r.Context(), sess)
	if err == nil {
		s.setCookie(w, fresh)
	}
	return nil, err
}

// revokeDevice signs out one of the caller's other sessions.
func (s *Server) revokeDevice(_ http.ResponseWriter, r *http.Request, sess sessions.Session, _ struct{}) (any, error) {
	key := sessions.Key(r.PathValue("id"))
	raw, ok, err := getString(s.ns.Sessions, key, nil)
	if err != nil {
		return nil, err
	}
	var other sessions.Session
	if !ok || json.Unmarshal([]byte(raw), &other) != nil || other.UserID != sess.UserID {
		return nil, httpError{http.StatusNotFound, "no such device"}
	}
	return nil, s.ns.Sessions.Delete(key) // EXPECT kvsession
}

func (s *Server) createThread(_ http.ResponseWriter, r *http.Request, sess sessions.Session, req struct{ Title, Body string }) (any, error) {
	ctx := r.Context()
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(req.Title), "-"), "-")
	if slug == "" {
		return nil, errBadInput
	}
	slugKey := slugPrefix + slug[:min(len(slug), 60)]
	if _, taken, err := getString(s.ns.Forum, slugKey, nil); err != nil || taken {
		return nil, httpError{http.StatusConflict, "a thread with this title already exists"}
	}
	t, err := s.svc.Forum.CreateThread(ctx, sess.UserID, slug, req.Title, req.Body)
	if err != nil {
		return nil, err
	}
	if err := s.ns.Forum.PutString(slugKey, t.ID, nil); err != nil { // EXPECT kvrace
		return nil, err
	}
	for _, step := range []func() error{
		func() error { return s.svc.Titles.IndexThread(ctx, t) },
		func() error { return s.svc.Search.Invalidate(ctx) },
		func() error { return s.svc.Forum.Subscribe(ctx, t.ID, sess.UserID) },
	} {
		if err := step(); err != nil {
			s.log.Warn("create thread: follow-up failed", "thread", t.ID, "err", err)
		}
	}
	return t, nil
}

func (s *Server) threadBySlug(_ http.ResponseWriter, r *http.Request, _ sessions.Session, _ struct{}) (any, error) {
	tid, ok, err := getString(s.ns.Forum, slugPrefix+r.PathValue("slug"), &kv.GetOptions{CacheTTL: 300})
	if err != nil || !ok {
		return nil, httpError{http.StatusNotFound, "no such thread"}
	}
	if held, err := s.svc.Mod.IsHeld(r.Context(), tid); err == nil && held {
		return nil, httpError{http.StatusUnavailableForLegalReasons, "this thread is awaiting moderation"}
	}
	return s.svc.Forum.Page(r.Context(), tid)
}

func (s *Server) suggest(_ http.ResponseWriter, r *http.Request, _ sessions.Session, _ struct{}) (any, error) {
	q := r.URL.Query().Get("q")
	out, err := s.svc.Search.Suggest(r.Context(), q)
	if err != nil {
		return nil, err
	}
	var uid string
	if c, err := r.Cookie(s.cfg.CookieName); err == nil {
		if sess, err := s.svc.Sessions.Lookup(r.Context(), c.Value); err == nil {
			uid = sess.UserID
		}
	}
	if err := s.svc.Search.Record(r.Context(), uid, q); err != nil {
		s.log.Warn("search: record", "err", err)
	}
	return out, nil
}

// popular serves the titles the nightly digest ranked highest.
func (s *Server) popular(_ http.ResponseWriter, _ *http.Request, _ sessions.Session, _ struct{}) (any, error) {
	raw, ok, err := getString(s.ns.Cache, digest.PopularKey, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil || !ok {
		return []string{}, err
	}
	return json.RawMessage(raw), nil
}

// bulkInvites mints a batch of multi-use codes for an event.
func (s *Server) bulkInvites(_ http.ResponseWriter, _ *http.Request, sess sessions.Session, req struct{ Count, Uses int }) (any, error) {
	if req.Count < 1 || req.Count > 50 || req.Uses < 1 {
		return nil, errBadInput
	}
	exp := time.Now().Add(s.cfg.InviteValidFor)
	codes := make([]string, 0, req.Count)
	for range req.Count {
		inv := invites.Invite{Code: invites.NewCode(), CreatedBy: sess.UserID, MaxUses: req.Uses, ExpiresAt: exp.UTC()}
		raw, _ := json.Marshal(inv)
		if err := s.ns.Users.PutString(invites.Prefix+inv.Code, string(raw), &kv.PutOptions{
			Expiration: int(exp.UnixMilli()), // EXPECT kvttl
		}); err != nil {
			return codes, err
		}
		codes = append(codes, inv.Code)
	}
	return codes, nil
}

// stats fans out the dashboard counters.
func (s *Server) stats(_ http.ResponseWriter, r *http.Request, _ sessions.Session, _ struct{}) (any, error) {
	out := struct {
		Backlog int  `json:"mod_backlog"`
		Threads int  `json:"threads"`
		Exact   bool `json:"threads_exact"`
	}{}
	g, ctx := errgroup.WithContext(r.Context())
	g.Go(func() (err error) { out.Backlog, err = s.svc.Mod.Backlog(ctx); return err })
	g.Go(func() (err error) { out.Threads, out.Exact, err = s.svc.Digest.Stats(ctx); return err })
	return out, g.Wait()
}
