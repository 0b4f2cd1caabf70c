// Package httpapi is meadow's HTTP interface.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"example.com/meadow/internal/certs"
	"example.com/meadow/internal/courses"
	"example.com/meadow/internal/enrol"
	"example.com/meadow/internal/invites"
	"example.com/meadow/internal/legacy/progress"
	"example.com/meadow/internal/quiz"
	"example.com/meadow/internal/ratelimit"
	"example.com/meadow/internal/reports"
	"example.com/meadow/internal/settings"
	"example.com/meadow/internal/signin"
	"example.com/meadow/internal/storage"
	"example.com/meadow/internal/tenant"
	"example.com/meadow/internal/webhooks"
)

const sessionCookie = "meadow_session"

// Server holds the handlers' dependencies; main fills it in.
type Server struct {
	Store    storage.Full // unscoped namespace
	Recent   storage.Store
	Sessions *signin.Sessions
	Magic    signin.MagicLinks
	OTP      signin.OTP
	Catalog  *courses.Catalog
	Enrol    enrol.Service
	Grader   quiz.Grader
	Verifier certs.Verifier
	Redeem   invites.RedeemInvite
	Webhooks *webhooks.Receiver
	Limiter  *ratelimit.Limiter
	Quotas   *ratelimit.Quotas
	Progress *progress.Tracker
	Reports  reports.Exporter
	Mail     func(ctx context.Context, to, body string) error
	Clock    func() time.Time
	Log      *slog.Logger
}

// Handler returns the routed handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /signin/link", s.requestLink)
	mux.HandleFunc("GET /signin/link/{token}", s.followLink)
	mux.HandleFunc("POST /signin/code", s.requestCode)
	mux.HandleFunc("POST /logout", s.authed(s.logout))
	mux.HandleFunc("GET /courses/{id}/lessons/{lesson}", s.authed(s.lesson))
	mux.HandleFunc("POST /enrolments", s.authed(s.enrolNow))
	mux.HandleFunc("POST /quizzes/{id}/grades", s.authed(s.gradeBatch))
	mux.HandleFunc("POST /invites/redeem", s.authed(s.redeemInvite))
	mux.HandleFunc("GET /certificates/{id}", s.limited(s.verifyCertificate))
	mux.HandleFunc("GET /admin/reports/progress.csv", s.authed(s.progressReport))
	mux.Handle("POST /webhooks/billing/{tenant}", s.Webhooks)
	return mux
}

type sessionHandler func(w http.ResponseWriter, r *http.Request, sess signin.Session)

// authed resolves the session cookie and keeps the session alive.
func (s *Server) authed(h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		sess, err := s.Sessions.Touch(r.Context(), c.Value)
		if errors.Is(err, signin.ErrNoSession) || errors.Is(err, signin.ErrRevoked) {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		h(w, r, sess)
	}
}

// limited applies the tenant plan's per-IP request rate.
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tenantID, err := tenant.FromRequest(r)
		if err != nil {
			http.Error(w, "unknown tenant", http.StatusNotFound)
			return
		}
		plan, err := settings.Tenant{Store: tenant.Scope(s.Store, tenantID)}.Plan(r.Context())
		if err != nil {
			s.fail(w, err)
			return
		}
		ip, _, _ := net.SplitHostPort(r.RemoteAddr)
		if cf := r.Header.Get("CF-Connecting-IP"); cf != "" {
			ip = cf
		}
		if ok, err := s.Limiter.Allow(r.Context(), plan, ip); err != nil {
			s.Log.Warn("rate limiter unavailable", "err", err)
		} else if !ok {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		h(w, r)
	}
}

// errStatus maps domain errors to HTTP statuses; anything else is a 500.
var errStatus = []struct {
	err  error
	code int
}{
	{signin.ErrLinkInvalid, http.StatusGone},
	{signin.ErrTooManyAttempts, http.StatusTooManyRequests},
	{certs.ErrUnknownCertificate, http.StatusNotFound},
	{certs.ErrBadSignature, http.StatusNotFound},
	{invites.ErrUnknown, http.StatusGone},
	{invites.ErrUsed, http.StatusGone},
	{invites.ErrExpired, http.StatusGone},
	{ratelimit.ErrQuotaExceeded, http.StatusPaymentRequired},
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	for _, m := range errStatus {
		if errors.Is(err, m.err) {
			http.Error(w, err.Error(), m.code)
			return
		}
	}
	s.Log.Error("request failed", "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// reply writes v as JSON, or the error's status.
func (s *Server) reply(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return true
}

func (s *Server) requestLink(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email string }
	if !readJSON(w, r, &body) {
		return
	}
	token, err := s.Magic.Request(r.Context(), body.Email)
	if err == nil {
		err = s.Mail(r.Context(), body.Email, "Sign in: /signin/link/"+token)
	}
	s.reply(w, http.StatusAccepted, struct{}{}, err)
}

func (s *Server) followLink(w http.ResponseWriter, r *http.Request) {
	email, err := s.Magic.Consume(r.Context(), r.PathValue("token"))
	tenantID, terr := tenant.FromRequest(r)
	if err = errors.Join(err, terr); err != nil {
		s.fail(w, err)
		return
	}
	sess, err := s.Sessions.Create(r.Context(), email, tenantID)
	if err != nil {
		s.fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", Expires: sess.ExpiresAt, HttpOnly: true, Secure: true})
	now := []byte(s.Clock().UTC().Format(time.RFC3339))
	if err := s.Store.Put(r.Context(), "stats/last-signin", now, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
		s.Log.Warn("sign-in stat not recorded", "err", err)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) requestCode(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email string }
	if !readJSON(w, r, &body) {
		return
	}
	code, err := s.OTP.Issue(r.Context(), body.Email)
	if err == nil {
		err = s.Mail(r.Context(), body.Email, "Your sign-in code is "+code)
	}
	s.reply(w, http.StatusAccepted, struct{}{}, err)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess signin.Session) {
	err := s.Sessions.Logout(r.Context(), sess.ID)
	if err == nil {
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	}
	s.reply(w, http.StatusOK, struct{}{}, err)
}

func (s *Server) lesson(w http.ResponseWriter, r *http.Request, sess signin.Session) {
	courseID, lessonID := r.PathValue("id"), r.PathValue("lesson")
	l, err := s.Catalog.Lesson(r.Context(), sess.Tenant, courseID, lessonID)
	if err == nil {
		s.Progress.View(sess.Tenant + "/" + courseID)
		// One small record per learner; the buffered store sends the latest on flush.
		mark := []byte(courseID + "/" + lessonID)
		if perr := s.Recent.Put(r.Context(), "last-lesson/"+sess.User, mark, storage.PutOptions{TTL: 90 * 24 * time.Hour}); perr != nil {
			s.Log.Warn("last lesson not recorded", "err", perr)
		}
	}
	s.reply(w, http.StatusOK, l, err)
}

func (s *Server) enrolNow(w http.ResponseWriter, r *http.Request, sess signin.Session) {
	var body struct{ Course string }
	if !readJSON(w, r, &body) {
		return
	}
	cmd := enrol.EnrolCommand{Course: body.Course, Learner: sess.User, IdempotencyKey: r.Header.Get("Idempotency-Key")}
	out, err := s.Enrol.Handle(r.Context(), sess.Tenant, cmd)
	s.reply(w, http.StatusCreated, out, err)
}

func (s *Server) gradeBatch(w http.ResponseWriter, r *http.Request, sess signin.Session) {
	var subs []quiz.Submission
	if !readJSON(w, r, &subs) {
		return
	}
	ctx, st, quizID := r.Context(), tenant.Scope(s.Store, sess.Tenant), r.PathValue("id")
	plan, err := settings.Tenant{Store: st}.Plan(ctx)
	if err == nil {
		err = s.Quotas.ConsumeGrades(ctx, sess.Tenant, plan, len(subs))
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	grades, err := s.Grader.GradeBatch(ctx, st, quizID, subs)
	if err == nil {
		if cerr := s.Grader.CacheResults(ctx, st, quizID, plan, grades); cerr != nil {
			s.Log.Warn("results not cached", "quiz", quizID, "err", cerr)
		}
	}
	s.reply(w, http.StatusOK, grades, err)
}

func (s *Server) verifyCertificate(w http.ResponseWriter, r *http.Request) {
	c, err := s.Verifier.Verify(r.Context(), r.PathValue("id"))
	s.reply(w, http.StatusOK, c, err)
}

func (s *Server) redeemInvite(w http.ResponseWriter, r *http.Request, sess signin.Session) {
	var body struct{ Code string }
	if !readJSON(w, r, &body) {
		return
	}
	uc := s.Redeem
	uc.Invites = tenant.Scope(s.Store, sess.Tenant)
	inv, err := uc.Execute(r.Context(), invites.RedeemCommand{Code: body.Code, Learner: sess.User})
	s.reply(w, http.StatusOK, inv, err)
}

func (s *Server) progressReport(w http.ResponseWriter, r *http.Request, sess signin.Session) {
	w.Header().Set("Content-Type", "text/csv")
	if err := s.Reports.ProgressCSV(r.Context(), w, sess.Tenant); err != nil {
		s.Log.Error("progress report failed", "tenant", sess.Tenant, "err", err)
	}
}
