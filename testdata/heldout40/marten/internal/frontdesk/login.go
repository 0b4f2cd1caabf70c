package frontdesk

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"time"

	"marten/internal/kvstore"
)

// loginRequest carries one login attempt from the form to KV.
type loginRequest struct {
	kv       *kvstore.Store
	user     string
	password string
	desk     string
	ip       string

	key  SessionKey
	sess Session
}

func (s *Service) newLoginRequest(r *http.Request) *loginRequest {
	return &loginRequest{
		kv:       Store,
		user:     r.FormValue("user"),
		password: r.FormValue("password"),
		desk:     r.FormValue("desk"),
		ip:       clientIP(r),
	}
}

func (req *loginRequest) attemptsKey() string { return attemptsPrefix.Of(req.user) }

// lockedOut reports whether the user has used up the failed attempts of the
// current window.
func (req *loginRequest) lockedOut(ctx context.Context) (bool, error) {
	raw, found, err := req.kv.Lookup(ctx, req.attemptsKey())
	if err != nil || !found {
		return false, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return false, nil
	}
	return n >= maxAttempts, nil
}

func (req *loginRequest) recordFailure(ctx context.Context) error {
	raw, found, err := req.kv.Lookup(ctx, req.attemptsKey())
	if err != nil {
		return err
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(string(raw))
	}
	return req.kv.PutTTL(ctx, req.attemptsKey(), kvstore.Decimal(int64(n+1)), lockoutWindow) // EXPECT kvcounter|kvrace
}

// save creates the session and clears the failure count in one batch.
func (req *loginRequest) save(ctx context.Context, st Staff) error {
	now := time.Now()
	req.key = SessionKey{User: req.user, ID: newSessionID()}
	req.sess = Session{User: st.User, Role: st.Role, Desk: req.desk, IP: req.ip, Created: now, LastSeen: now}

	b := req.kv.Begin()
	b.Put(req.key.String(), kvstore.Must(kvstore.GobBytes(req.sess)), sessionTTL)
	b.Delete(req.attemptsKey())
	return b.Commit(ctx)
}

// Login handles POST /frontdesk/login.
func (s *Service) Login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req := s.newLoginRequest(r)
	if locked, err := req.lockedOut(ctx); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	} else if locked {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	st, err := s.dir.Verify(ctx, req.user, req.password)
	if err != nil {
		if ferr := req.recordFailure(ctx); ferr != nil {
			log.Printf("frontdesk: record failure for %s: %v", req.user, ferr)
		}
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	if err := req.save(ctx, st); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	last, _ := json.Marshal(map[string]string{"user": req.user, "desk": req.desk, "at": time.Now().UTC().Format(time.RFC3339)})
	if err := Store.Put(ctx, "staff/last-login", last); err != nil { // EXPECT kvhotkey
		log.Printf("frontdesk: last-login marker: %v", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    req.key.Cookie(),
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteStrictMode,
		MaxAge:   int(sessionTTL.Seconds()),
	})
	w.WriteHeader(http.StatusNoContent)
}

// Logout handles POST /frontdesk/logout.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	_, key, err := s.authenticate(r)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := kvstore.Drop(r.Context(), Store, key); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// ChangePassword handles POST /frontdesk/password. Other sessions of the
// user are signed out; the current one stays.
func (s *Service) ChangePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, current, err := s.authenticate(r)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if _, err := s.dir.Verify(ctx, sess.User, r.FormValue("old")); err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	if err := s.dir.SetPassword(ctx, sess.User, r.FormValue("new")); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	keys, _, err := Store.Page(ctx, "staff/session/"+sess.User+"/", "", 100) // EXPECT kvlist
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	for _, k := range keys {
		if k.Name == current.String() {
			continue
		}
		if err := Store.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			log.Printf("frontdesk: sign out %s: %v", k.Name, err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// Whoami handles GET /frontdesk/me.
func (s *Service) Whoami(w http.ResponseWriter, r *http.Request) {
	sess, _, err := s.authenticate(r)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	st, err := s.profile(r.Context(), sess.User)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"staff": st, "desk": sess.Desk, "since": sess.Created})
}
