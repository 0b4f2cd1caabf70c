package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"example.com/otter/internal/httpx"
	"example.com/otter/internal/kvport"
)

// Directory tells which customers an email may act for.
type Directory func(ctx context.Context, tenant, email string) ([]string, error)

// Deps are the collaborators of the Service.
type Deps struct {
	Sessions Sessions
	Magic    kvport.Store
	Activity kvport.Store
	Mail     func(ctx context.Context, to, subject, body string) error
	Dir      Directory
	BaseURL  string
	Log      *slog.Logger
}

// Service is the portal back end.
type Service struct {
	Deps
	now func() time.Time
}

func NewService(d Deps) *Service { return &Service{Deps: d, now: time.Now} }

var ErrInvalidLink = httpx.Errorf(http.StatusUnauthorized, "invalid_link", "this sign-in link is no longer valid")

type LinkRequest struct {
	Email  string `json:"email"`
	Tenant string `json:"tenant"`
}

// RequestLink mails a sign-in link.
func (s *Service) RequestLink(ctx context.Context, in LinkRequest) (struct{}, error) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	claim, _ := json.Marshal(in)
	if err := s.Magic.Put(ctx, token, claim, nil); err != nil {
		return struct{}{}, err
	}
	link := s.BaseURL + "/login?token=" + url.QueryEscape(token)
	return struct{}{}, s.Mail(ctx, in.Email, "Your sign-in link", "Sign in: "+link)
}

func (s *Service) startSession(ctx context.Context, email, tenant string) (string, error) {
	customers, err := s.Dir(ctx, tenant, email)
	if err != nil {
		return "", err
	} else if len(customers) == 0 {
		return "", ErrInvalidLink
	}
	now := s.now()
	body, _ := json.Marshal(Session{Email: email, Tenant: tenant, Customers: customers,
		ActiveCustomer: customers[0], CreatedAt: now, LastSeen: now})
	return s.Sessions.Create(ctx, body)
}

// Redeem exchanges a magic-link token for a session id.
func (s *Service) Redeem(ctx context.Context, token string) (string, error) {
	raw, err := s.Magic.Get(ctx, token)
	if kvport.IsNotFound(err) {
		return "", ErrInvalidLink
	} else if err != nil {
		return "", err
	}
	var c LinkRequest
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", err
	}
	if err := s.Magic.Delete(ctx, token); err != nil { // EXPECT kvsession
		return "", err
	}
	return s.startSession(ctx, c.Email, c.Tenant)
}

func (s *Service) load(ctx context.Context, id string) (Session, error) {
	raw, err := s.Sessions.Lookup(ctx, id)
	if err != nil {
		return Session{}, err
	}
	var sess Session
	err = json.Unmarshal(raw, &sess)
	return sess, err
}

// SwitchCustomer changes the customer the session acts for.
func (s *Service) SwitchCustomer(ctx context.Context, sessionID, customer string) (Session, error) {
	sess, err := s.load(ctx, sessionID)
	if err != nil {
		return Session{}, err
	}
	if !slices.Contains(sess.Customers, customer) {
		return Session{}, httpx.Errorf(http.StatusForbidden, "forbidden", "not a customer of this account")
	}
	sess.ActiveCustomer = customer
	body, _ := json.Marshal(sess)
	if err := s.Sessions.Save(ctx, sessionID, body); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return sess, nil
}

const cookieName = "otter_portal"

type sessionCtx struct{}

type active struct {
	id   string
	sess Session
}

// RequireSession rejects requests without a valid session and renews the
// session's lifetime on each request.
func (s *Service) RequireSession(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		var sess Session
		if err == nil {
			sess, err = s.load(r.Context(), c.Value)
		}
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		sess.LastSeen = s.now()
		body, _ := json.Marshal(sess)
		if err := s.Sessions.Save(r.Context(), c.Value, body); err != nil { // EXPECT kvsession
			s.Log.Warn("renew session", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionCtx{}, active{id: c.Value, sess: sess})))
	})
}

func current(r *http.Request) active {
	a, _ := r.Context().Value(sessionCtx{}).(active)
	return a
}

func setCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true,
		Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: int((12 * time.Hour).Seconds())})
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.Handle("POST /portal/login/link", httpx.JSON(s.RequestLink))
	mux.HandleFunc("GET /login", s.handleRedeem)
	mux.Handle("POST /portal/switch", s.RequireSession(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.SwitchCustomer(r.Context(), current(r).id, r.FormValue("customer"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Write(w, http.StatusOK, sess)
	}))
	mux.Handle("POST /portal/logout", s.RequireSession(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Sessions.Revoke(r.Context(), current(r).id); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
		httpx.Write(w, http.StatusOK, map[string]string{"status": "signed_out"})
	}))
}

func (s *Service) handleRedeem(w http.ResponseWriter, r *http.Request) {
	id, err := s.Redeem(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	// The status page shows when the portal last had a successful sign-in.
	if err := s.Activity.Put(r.Context(), "last-login", strconv.AppendInt(nil, s.now().Unix(), 10), nil); err != nil { // EXPECT kvhotkey
		s.Log.Warn("record login", "err", err)
	}
	setCookie(w, id)
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}
