// Package api is the subscriber and dashboard HTTP API of the backend.
package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"pukeko/internal/export"
	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
	"pukeko/internal/optin"
	"pukeko/internal/sending"
	"pukeko/internal/stats"
)

// Server wires the domain services to HTTP routes.
type Server struct {
	Optin    *optin.Service
	Sessions *optin.Sessions
	Export   *export.Exporter
	Stats    *stats.Store
	Bounces  *sending.Bounces
	Fbl      *sending.ComplaintCounter
	Limits   *kvstore.Namespace
	Cache    *kvstore.Namespace
	Domains  *kvstore.Namespace
	Log      *slog.Logger
}

// Routes returns the API's mux.
func (s *Server) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /lists/{list}/subscribers", s.subscribe)
	mux.HandleFunc("GET /lists/{list}", s.publicList)
	mux.HandleFunc("POST /confirm/{token}", s.confirm)
	mux.HandleFunc("POST /lists/{list}/unsubscribe/{ordinal}", s.unsubscribe)
	mux.HandleFunc("POST /webhooks/mta", s.mtaWebhook)
	mux.HandleFunc("POST /admin/login/{code}", s.login)
	mux.HandleFunc("POST /admin/logout", s.admin(s.logout))
	mux.HandleFunc("GET /admin/lists/{list}/subscribers", s.admin(s.listSubscribers))
	mux.HandleFunc("POST /admin/domains", s.admin(s.claimDomain))
	mux.HandleFunc("POST /admin/campaigns/{campaign}/preview", s.admin(s.preview))
	return mux
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// allowSignup admits ten sign-ups per address and hour.
func (s *Server) allowSignup(ctx context.Context, ip string) (bool, error) {
	key := "rl:signup:" + ip
	hits := 0
	raw, err := s.Limits.Get(ctx, key)
	if err == nil {
		hits, _ = strconv.Atoi(string(raw))
	} else if !kvstore.IsNotFound(err) {
		return false, err
	}
	if hits >= 10 {
		return false, nil
	}
	return true, s.Limits.Put(ctx, key, []byte(strconv.Itoa(hits+1)), &kvstore.WriteOptions{TTL: new(time.Hour)}) // EXPECT kvcounter|kvrace
}

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	list := keys.ListID(r.PathValue("list"))
	ok, err := s.allowSignup(ctx, clientIP(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	email := strings.TrimSpace(r.FormValue("email"))
	if _, err := s.Optin.Subscribe(ctx, list, email, r.FormValue("source")); errors.Is(err, optin.ErrAlreadySubscribed) {
		w.WriteHeader(http.StatusAccepted)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	go func(ctx context.Context) {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339) + " " + string(list))
		if err := s.Cache.Put(ctx, "status:last-signup", stamp, nil); err != nil { // EXPECT kvhotkey
			s.Log.WarnContext(ctx, "last-signup", "err", err)
		}
	}(context.WithoutCancel(ctx))
}

// publicList serves the public sign-up page data of a list, cached for five
// minutes.
func (s *Server) publicList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	list := keys.ListID(r.PathValue("list"))
	cacheKey := "public:" + string(list)
	if raw, err := s.Cache.Get(ctx, cacheKey); err == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Write(raw)
		return
	} else if !kvstore.IsNotFound(err) {
		s.fail(w, r, err)
		return
	}
	ls, err := s.Optin.SettingsLoader(ctx, list)()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	raw, _ := json.Marshal(struct {
		Name   string   `json:"name"`
		Topics []string `json:"topics,omitzero"`
	}{ls.Name, ls.Topics})
	if err := s.Cache.Put(ctx, cacheKey, raw, &kvstore.WriteOptions{TTL: new(5 * time.Minute)}); err != nil {
		s.Log.WarnContext(ctx, "cache fill", "key", cacheKey, "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	sub, err := s.Optin.Confirm(r.Context(), r.PathValue("token"))
	if errors.Is(err, optin.ErrTokenUnknown) {
		http.Error(w, "link expired", http.StatusNotFound)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	json.NewEncoder(w).Encode(sub)
}

// unsubscribe is called by the edge for one-click (RFC 8058) unsubscribes.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	ordinal, err := strconv.Atoi(r.PathValue("ordinal"))
	if err != nil {
		http.Error(w, "bad ordinal", http.StatusBadRequest)
		return
	}
	if err := s.Cache.Put(r.Context(), "suppress:"+list+":"+r.FormValue("h"), []byte("unsubscribed"), nil); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	go func(ctx context.Context) {
		key := "suppress-bits:" + list
		var bs stats.Bitset
		if raw, err := s.Cache.Get(ctx, key); err == nil {
			bs, _ = stats.DecodeBitset(raw)
		} else if !kvstore.IsNotFound(err) {
			return
		}
		out, _ := bs.Set(ordinal).AppendBinary(nil)
		_ = s.Cache.Put(ctx, key, out, nil) // EXPECT kvrace
	}(context.WithoutCancel(r.Context()))
}

type mtaEvent struct {
	Type     string `json:"type"` // bounce, complaint, delivered
	Email    string `json:"email"`
	Campaign string `json:"campaign"`
	Hard     bool   `json:"hard,omitzero"`
	Reason   string `json:"reason,omitzero"`
}

func (s *Server) mtaWebhook(w http.ResponseWriter, r *http.Request) {
	var evs []mtaEvent
	if err := json.NewDecoder(r.Body).Decode(&evs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, ev := range evs {
		switch ev.Type {
		case "bounce":
			if _, err := s.Bounces.Record(r.Context(), ev.Email, ev.Hard, ev.Reason); err != nil {
				s.fail(w, r, err)
				return
			}
		case "complaint":
			s.Fbl.Add(keys.CampaignID(ev.Campaign))
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

const sessionCookie = "pk_admin"

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Sessions.RedeemMagicLink(r.Context(), r.PathValue("code"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/admin", HttpOnly: true, Secure: true, Expires: sess.ExpiresAt})
	w.WriteHeader(http.StatusNoContent)
}

type adminHandler func(w http.ResponseWriter, r *http.Request, sess *optin.AdminSession)

// admin loads the dashboard session of the request and keeps it alive.
func (s *Server) admin(next adminHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		sess, err := s.Sessions.Load(r.Context(), c.Value)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if sess == nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		if err := s.Sessions.Touch(r.Context(), sess); err != nil {
			s.Log.WarnContext(r.Context(), "session touch", "err", err)
		}
		next(w, r, sess)
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *optin.AdminSession) {
	if err := s.Sessions.End(r.Context(), sess.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/admin", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listSubscribers(w http.ResponseWriter, r *http.Request, _ *optin.AdminSession) {
	rows, next, err := s.Export.Page(r.Context(), keys.ListID(r.PathValue("list")), r.URL.Query().Get("cursor"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"rows": rows, "cursor": next})
}

// trackingDomain is a custom click/open tracking host claimed by an account.
type trackingDomain struct {
	Host    string    `json:"host"`
	Account string    `json:"account"`
	Claimed time.Time `json:"claimed"`
}

func (s *Server) claimDomain(w http.ResponseWriter, r *http.Request, sess *optin.AdminSession) {
	host := strings.ToLower(strings.TrimSpace(r.FormValue("host")))
	key := "domain:" + host
	if _, err := s.Domains.Get(r.Context(), key); err == nil {
		http.Error(w, "domain already in use", http.StatusConflict)
		return
	} else if !kvstore.IsNotFound(err) {
		s.fail(w, r, err)
		return
	}
	td := trackingDomain{Host: host, Account: sess.Account, Claimed: time.Now().UTC()}
	if err := s.Domains.PutJSON(r.Context(), key, td, nil); err != nil { // EXPECT kvrace
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// preview mints a short-lived link to the rendered campaign for the
// "send me a preview" button.
func (s *Server) preview(w http.ResponseWriter, r *http.Request, sess *optin.AdminSession) {
	token := rand.Text()
	err := s.Cache.PutJSON(r.Context(), "preview:"+token, map[string]string{"campaign": r.PathValue("campaign"), "by": sess.Email},
		&kvstore.WriteOptions{
			ExpireAt: new(time.Now().Add(45 * time.Second)), // EXPECT kvttl
		})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"url": "/preview/" + token})
}
