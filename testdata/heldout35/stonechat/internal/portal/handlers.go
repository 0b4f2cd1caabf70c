package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"stonechat/internal/audit"
	"stonechat/internal/events"
	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
)

const maxLoginAttempts = 5

func (s *Server) handleLogin() http.HandlerFunc {
	ttl := s.cfg.SessionTTL
	attemptsPrefix := "login-attempts/"
	lockout := 15 * time.Minute
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
		attemptsKey := attemptsPrefix + email

		failures := 0
		if raw, err := s.sessions.Get(ctx, attemptsKey); err == nil {
			failures, _ = strconv.Atoi(string(raw))
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if failures >= maxLoginAttempts {
			http.Error(w, "too many attempts", http.StatusTooManyRequests)
			return
		}

		cust, err := s.dir.Authenticate(ctx, email, r.FormValue("password"))
		if err != nil {
			_ = s.sessions.PutTTL(ctx, attemptsKey, []byte(strconv.Itoa(failures+1)), lockout) // EXPECT kvcounter
			http.Error(w, "invalid credentials", http.StatusUnauthorized)
			return
		}

		sess := Session{ID: ids.NewToken(32), Customer: cust, Email: email, CreatedAt: time.Now(), LastSeen: time.Now()}
		buf, _ := json.Marshal(sess)
		if err := s.sessions.PutTTL(ctx, ids.SessionKey(cust, sess.ID), buf, ttl); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		go func() { _ = s.logins(ctx, 1) }()
		s.bus.Publish(events.LoginEvent{Customer: cust, SessionID: sess.ID, At: sess.CreatedAt})
		http.SetCookie(w, &http.Cookie{Name: "sc_session", Value: string(cust) + "." + sess.ID, HttpOnly: true, Secure: true, Path: "/"})
		writeJSON(w, http.StatusOK, map[string]string{"customer": string(cust)})
	}
}

func (s *Server) handleLogout() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cust, sid, ok := sessionCookie(r)
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if err := s.sessions.Delete(r.Context(), ids.SessionKey(cust, sid)); err != nil { // EXPECT kvsession
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = s.bus.Emit(r.Context(), events.LogoutEvent{Customer: cust, SessionID: sid})
		http.SetCookie(w, &http.Cookie{Name: "sc_session", MaxAge: -1, Path: "/"})
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleMe returns the signed-in user and refreshes the session's idle timer.
func (s *Server) handleMe() http.HandlerFunc {
	ttl := s.cfg.SessionTTL
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		cust, sid, ok := sessionCookie(r)
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		key := ids.SessionKey(cust, sid)
		raw, err := s.sessions.Get(ctx, key)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var sess Session
		if err := json.Unmarshal(raw, &sess); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		sess.LastSeen = time.Now()
		defer func() {
			buf, _ := json.Marshal(sess)
			_ = s.sessions.PutTTL(ctx, key, buf, ttl) // EXPECT kvsession
		}()
		prof, err := s.profiles.Get(ctx, cust)
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"session": sess, "profile": prof})
	}
}

type magicLink struct {
	Invoice   ids.InvoiceID  `json:"invoice"`
	Customer  ids.CustomerID `json:"customer"`
	Approver  string         `json:"approver"`
	ExpiresAt time.Time      `json:"expires_at"`
}

func (s *Server) handleMagicLink() http.HandlerFunc {
	ttl := s.cfg.MagicTTL
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		cust, _, ok := sessionCookie(r)
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		link := magicLink{
			Invoice:   ids.InvoiceID(r.FormValue("invoice")),
			Customer:  cust,
			Approver:  r.FormValue("approver"),
			ExpiresAt: time.Now().Add(ttl),
		}
		token := ids.NewToken(24)
		buf, _ := json.Marshal(link)
		if err := s.sessions.PutTTL(ctx, "magic/"+token, buf, ttl); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"token": token})
	}
}

// handleResendCooldown notes that a link was just re-sent to an approver.
func (s *Server) handleResendCooldown() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		approver := strings.ToLower(r.FormValue("approver"))
		key := "magic-cooldown/" + approver
		stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
		// The portal UI reads this key to grey out the resend button.
		_ = s.sessions.PutTTL(ctx, key, stamp, 30*time.Second) // EXPECT kvttl
		w.WriteHeader(http.StatusAccepted)
	}
}

func (s *Server) handleApprove() http.HandlerFunc {
	prefix := "magic/"
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		token := r.PathValue("token")
		raw, err := s.sessions.Get(ctx, prefix+token)
		if errors.Is(err, kvstore.ErrNotFound) {
			http.Error(w, "link expired", http.StatusGone)
			return
		}
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		var link magicLink
		if err := json.Unmarshal(raw, &link); err != nil {
			http.Error(w, "bad link", http.StatusBadRequest)
			return
		}
		if err := s.sessions.Delete(ctx, prefix+token); err != nil { // EXPECT kvsession
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := s.recordApproval(ctx, link.Invoice, link.Approver); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = s.trail.Append(ctx, link.Invoice, audit.Entry{At: time.Now(), Actor: link.Approver, Action: "approved"})

		// Keep a short-lived receipt so the confirmation page survives a reload.
		receipt := fmt.Sprintf("approval-receipt/%s/%d", link.Invoice, time.Now().Unix())
		_ = s.sessions.PutTTL(ctx, receipt, raw, time.Until(link.ExpiresAt)) // EXPECT kvttl
		writeJSON(w, http.StatusOK, map[string]string{"invoice": string(link.Invoice), "status": "approved"})
	}
}

func (s *Server) handleCSRF() http.HandlerFunc {
	ttl := s.cfg.SessionTTL
	return func(w http.ResponseWriter, r *http.Request) {
		cust, sid, ok := sessionCookie(r)
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		token := ids.NewToken(16)
		key := path.Join("csrf", string(cust), sid)
		if err := s.sessions.PutTTL(r.Context(), key, []byte(token), ttl); err != nil { // EXPECT kvsession
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"csrf": token})
	}
}

// handleClaimSlug reserves a vanity portal address such as acme.pay.example.
func (s *Server) handleClaimSlug() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		cust, _, ok := sessionCookie(r)
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		slug := strings.ToLower(r.FormValue("slug"))
		key := "slug/" + slug
		_, err := s.billing.Get(ctx, key)
		if err == nil {
			http.Error(w, "slug taken", http.StatusConflict)
			return
		}
		if !errors.Is(err, kvstore.ErrNotFound) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := s.billing.Put(ctx, key, []byte(cust)); err != nil { // EXPECT kvrace
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"slug": slug})
	}
}

// handleOpenPixel records when the invoice e-mail was last opened.
func (s *Server) handleOpenPixel() http.HandlerFunc {
	lastOpenKey := path.Join("stats", "portal", "last_open")
	return func(w http.ResponseWriter, r *http.Request) {
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		_ = s.billing.Put(r.Context(), lastOpenKey, []byte(stamp)) // EXPECT kvhotkey
		if inv := r.URL.Query().Get("inv"); inv != "" {
			s.bus.Publish(events.InvoiceViewed{Invoice: ids.InvoiceID(inv), Customer: ids.CustomerID(r.URL.Query().Get("c"))})
		}
		w.Header().Set("Content-Type", "image/gif")
		w.WriteHeader(http.StatusOK)
	}
}

// handleBanner lets support staff set the maintenance banner.
func (s *Server) handleBanner() http.HandlerFunc {
	const bannerKey = "portal/banner"
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Staff-Token") == "" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		msg := r.FormValue("message")
		if err := s.billing.Put(r.Context(), bannerKey, []byte(msg)); err != nil { // DEBATABLE kvhotkey
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleAddNote appends a line to the invoice's notes thread.
func (s *Server) handleAddNote() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		cust, _, ok := sessionCookie(r)
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		inv := ids.InvoiceID(r.PathValue("id"))
		line := fmt.Sprintf("%s %s: %s", time.Now().UTC().Format(time.RFC3339), cust, r.FormValue("note"))
		old, err := s.billing.Get(ctx, inv.NotesKey())
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		notes := string(old)
		if notes != "" {
			notes += "\n"
		}
		notes += line
		if err := s.billing.Put(ctx, inv.NotesKey(), []byte(notes)); err != nil { // EXPECT kvrace
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
