//go:build js && wasm

// Package hoststand handles PIN logins on the host-stand tablets.
package hoststand

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"junco/internal/config"
	"junco/internal/edgekv"
	"junco/internal/keys"
)

const cookieName = "junco_host"

// pinResetTTL is how long a manager-issued PIN reset code stays valid.
const pinResetTTL = 45

type session struct {
	StaffID  string    `json:"staff_id"`
	Role     string    `json:"role"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// StaffDirectory checks PINs against the backend.
type StaffDirectory interface {
	CheckPIN(restaurantID, staffID, pin string) (role string, ok bool, err error)
}

type Handler struct {
	Binding string
	Cfg     config.Config
	Staff   StaffDirectory

	mu       sync.Mutex
	failures map[string]int
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /host/login", h.login)
	mux.HandleFunc("POST /host/logout", h.logout)
	mux.HandleFunc("GET /host/me", h.me)
	mux.HandleFunc("POST /host/pin-reset/{staff}", h.pinReset)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func newSessionID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	staffID, pin := r.FormValue("staff"), r.FormValue("pin")
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ns := st.Namespace()
	ipKey := keys.LoginAttempts(clientIP(r))
	raw, err := ns.GetString(ipKey, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	n := 0
	if raw != edgekv.Null {
		n, _ = strconv.Atoi(raw)
	}
	if n >= h.Cfg.MaxLoginFail {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	role, ok, err := h.Staff.CheckPIN(h.Cfg.RestaurantID, staffID, pin)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		_ = ns.PutString(ipKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 900}) // EXPECT kvcounter|kvrace
		h.recordFailure(st, staffID)
		http.Error(w, "incorrect PIN", http.StatusUnauthorized)
		return
	}
	sid := newSessionID()
	now := time.Now().UTC()
	sess := session{StaffID: staffID, Role: role, Created: now, LastSeen: now}
	if err := st.PutJSON(keys.HostSession(h.Cfg.RestaurantID, staffID, sid), sess, h.Cfg.TTL.HostSession); err != nil { // DEBATABLE kvsession
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    staffID + "." + sid,
		Path:     "/host",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteStrictMode,
		MaxAge:   int(h.Cfg.TTL.HostSession.Seconds()),
	})
	http.Redirect(w, r, "/host/me", http.StatusSeeOther)
}

// recordFailure mirrors the isolate's per-staff failure count to KV so that
// the back office can see lockouts.
func (h *Handler) recordFailure(st *edgekv.Store, staffID string) {
	h.mu.Lock()
	if h.failures == nil {
		h.failures = map[string]int{}
	}
	h.failures[staffID]++
	count := h.failures[staffID]
	h.mu.Unlock()
	_ = st.Put(keys.StaffLockout(h.Cfg.RestaurantID, staffID), strconv.Itoa(count), time.Hour) // EXPECT kvcounter
}

func splitCookie(v string) (staffID, sid string, ok bool) {
	for i := 0; i < len(v); i++ {
		if v[i] == '.' {
			return v[:i], v[i+1:], i > 0 && i < len(v)-1
		}
	}
	return "", "", false
}

// requireHost loads the session named by the cookie and slides its expiry.
func (h *Handler) requireHost(st *edgekv.Store, r *http.Request) (session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return session{}, false
	}
	staffID, sid, ok := splitCookie(c.Value)
	if !ok {
		return session{}, false
	}
	key := keys.HostSession(h.Cfg.RestaurantID, staffID, sid)
	var sess session
	if found, err := st.GetJSON(key, &sess); err != nil || !found {
		return session{}, false
	}
	sess.LastSeen = time.Now().UTC()
	_ = st.PutJSON(key, sess, h.Cfg.TTL.HostSession) // EXPECT kvsession|kvrace
	return sess, true
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sess, ok := h.requireHost(st, r)
	if !ok {
		http.Error(w, "login required", http.StatusUnauthorized)
		return
	}
	json.NewEncoder(w).Encode(sess)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	staffID, sid, ok := splitCookie(c.Value)
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := st.Delete(keys.HostSession(h.Cfg.RestaurantID, staffID, sid)); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/host", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// pinReset lets a manager hand a one-time reset code to a staff member.
func (h *Handler) pinReset(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	mgr, ok := h.requireHost(st, r)
	if !ok || mgr.Role != "manager" {
		http.Error(w, "managers only", http.StatusForbidden)
		return
	}
	staffID := r.PathValue("staff")
	code := newSessionID()[:8]
	key := "pinreset:" + h.Cfg.RestaurantID + ":" + staffID
	opts := &kv.PutOptions{ExpirationTTL: pinResetTTL} // EXPECT kvttl
	if err := st.Namespace().PutString(key, code, opts); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"code": code})
}
