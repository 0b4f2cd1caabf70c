//go:build js && wasm

// Package edgeapi is the HTTP surface of the edge Worker: member portal,
// booking checkout, credits and the public board.
package edgeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"merganser/internal/board"
	"merganser/internal/credits"
	"merganser/internal/edgekv"
	"merganser/internal/kvio"
	"merganser/internal/portal"
)

// Server holds the bindings shared by all handlers.
type Server struct {
	Sessions *edgekv.Namespace // SESSIONS
	Bookings *edgekv.Namespace // BOOKINGS
	Public   *edgekv.Namespace // PUBLIC
	Origin   string

	members *portal.SessionStore
	kiosks  *portal.SessionStore
	board   *board.Board
	queue   *credits.Queue
}

// New wires the handlers to their namespaces.
func New(ctx context.Context, sessions, bookings, public *edgekv.Namespace, origin string) *Server {
	return &Server{
		Sessions: sessions,
		Bookings: bookings,
		Public:   public,
		Origin:   origin,
		members:  portal.NewMemberSessions(sessions),
		kiosks:   portal.NewKioskSessions(sessions),
		board:    board.New(public, origin),
		queue:    credits.NewQueue(ctx, 64),
	}
}

// Routes returns the Worker's handler.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/login", s.login)
	mux.HandleFunc("/api/logout", s.logout)
	mux.HandleFunc("/api/me", s.me)
	mux.HandleFunc("/api/kiosk/checkin", s.kioskCheckin)
	mux.HandleFunc("/api/reset/request", s.resetRequest)
	mux.HandleFunc("/api/reset/confirm", s.resetConfirm)
	mux.HandleFunc("/api/profile", s.profile)
	mux.HandleFunc("/api/holds", s.placeHold)
	mux.HandleFunc("/api/basket", s.basket)
	mux.HandleFunc("/api/credits/spend", s.spend)
	mux.HandleFunc("/board/", s.publicBoard)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return strings.Split(r.RemoteAddr, ":")[0]
}

func sessionID(r *http.Request) string {
	if c, err := r.Cookie("msid"); err == nil {
		return c.Value
	}
	return ""
}

// allowLogin applies the per-IP login limit.
func allowLogin(ctx context.Context, rw kvio.GetPutter, ip string) (bool, error) {
	key := "rl:login:" + ip
	n := 0
	switch v, err := rw.Get(ctx, key); {
	case errors.Is(err, kvio.ErrNotFound):
	case err != nil:
		return false, err
	default:
		n, _ = strconv.Atoi(v)
	}
	if n >= 10 {
		return false, nil
	}
	return true, rw.Put(ctx, key, strconv.Itoa(n+1), 10*time.Minute) // EXPECT kvcounter|kvrace
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Remember bool   `json:"remember"`
	}
	fail := func(status int, msg string) {
		writeJSON(w, status, struct {
			Error string `json:"error"`
		}{msg})
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Email == "" {
		fail(http.StatusBadRequest, "email and password required")
		return
	}
	if ok, err := allowLogin(ctx, s.Sessions, clientIP(r)); err != nil {
		fail(http.StatusServiceUnavailable, "try again")
		return
	} else if !ok {
		fail(http.StatusTooManyRequests, "too many attempts")
		return
	}
	defer func() {
		stamp := time.Now().UTC().Format(time.RFC3339)
		_ = s.Public.Put(context.Background(), "portal:last-login", stamp, 0) // EXPECT kvhotkey
	}()

	var verdict struct {
		MemberID       string `json:"member_id"`
		OK             bool   `json:"ok"`
		FailedAttempts int    `json:"failed_attempts"`
	}
	err := func() error {
		body, _ := json.Marshal(map[string]string{"email": req.Email, "password": req.Password})
		res, err := http.Post(s.Origin+"/internal/auth/verify", "application/json", strings.NewReader(string(body)))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("verify: %s", res.Status)
		}
		return json.NewDecoder(res.Body).Decode(&verdict)
	}()
	if err != nil {
		fail(http.StatusBadGateway, "auth unavailable")
		return
	}
	if !verdict.OK {
		attempts := verdict.FailedAttempts + 1
		_ = s.Sessions.Put(ctx, "login-attempts:"+strings.ToLower(req.Email), strconv.Itoa(attempts), time.Hour) // EXPECT kvcounter
		fail(http.StatusUnauthorized, "invalid email or password")
		return
	}
	sess, err := s.members.Create(ctx, verdict.MemberID, req.Email, false, req.Remember)
	if err != nil {
		fail(http.StatusInternalServerError, "could not sign in")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "msid", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	writeJSON(w, http.StatusOK, struct {
		MemberID string `json:"member_id"`
	}{sess.MemberID})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sid := sessionID(r)
	if c, err := r.Cookie("mrt"); err == nil && c.Value != "" {
		rt := c.Value
		defer func() {
			if err := s.Sessions.Delete(context.Background(), "refresh:"+rt); err != nil { // EXPECT kvsession
				log.Printf("logout: refresh token: %v", err)
			}
		}()
	}
	if sid != "" {
		if err := s.members.Revoke(ctx, sid); err != nil {
			log.Printf("logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "msid", Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	sess, err := s.members.Touch(r.Context(), sessionID(r))
	if err != nil {
		if errors.Is(err, portal.ErrNoSession) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if cut, ok, err := portal.RevokedBefore(r.Context(), s.Sessions, sess.MemberID); err == nil && ok && sess.CreatedAt.Before(cut) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var bal credits.Balance
	if err := credits.Read(r.Context(), s.Bookings, sess.MemberID, &bal); err != nil {
		log.Printf("me: credits: %v", err)
	}
	writeJSON(w, http.StatusOK, struct {
		MemberID string `json:"member_id"`
		Email    string `json:"email"`
		Credits  int    `json:"credits"`
	}{sess.MemberID, sess.Email, bal.Remaining})
}

func (s *Server) kioskCheckin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MemberID string `json:"member_id"`
		Email    string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	sess, err := s.kiosks.Create(r.Context(), req.MemberID, req.Email, true, false)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Session string `json:"session"`
	}{sess.ID})
}

func (s *Server) resetRequest(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MemberID string `json:"member_id"`
		Email    string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	token, err := portal.IssueReset(r.Context(), s.Sessions, req.MemberID, req.Email)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	body, _ := json.Marshal(map[string]string{"email": req.Email, "token": token})
	if res, err := http.Post(s.Origin+"/internal/mail/reset", "application/json", strings.NewReader(string(body))); err == nil {
		res.Body.Close()
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) resetConfirm(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Password) < 12 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	err := portal.RedeemReset(r.Context(), s.Sessions, req.Token, func(memberID string) error {
		body, _ := json.Marshal(map[string]string{"member_id": memberID, "password": req.Password})
		res, err := http.Post(s.Origin+"/internal/auth/password", "application/json", strings.NewReader(string(body)))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			return fmt.Errorf("set password: %s", res.Status)
		}
		return nil
	})
	switch {
	case errors.Is(err, portal.ErrLinkExpired):
		w.WriteHeader(http.StatusGone)
	case err != nil:
		w.WriteHeader(http.StatusBadGateway)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var sess portal.Session
	if err := s.members.Load(ctx, sessionID(r), &sess); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		nonce, err := portal.IssueNonce(ctx, s.Sessions, sess.ID)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			CSRF string `json:"csrf"`
		}{nonce})
		return
	}
	if err := portal.CheckNonce(ctx, s.Sessions, sess.ID, r.Header.Get("X-CSRF")); err != nil {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	var prefs struct {
		DisplayName string `json:"display_name"`
		HomeSite    string `json:"home_site"`
	}
	if err := json.NewDecoder(r.Body).Decode(&prefs); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if err := kvio.PutJSON(ctx, s.Bookings, "profile:"+sess.MemberID, prefs, 0); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
