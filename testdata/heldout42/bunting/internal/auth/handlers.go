package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"bunting/internal/kvstore"
)

const cookieName = "bsid"

// Directory checks clinician credentials against the identity provider.
type Directory interface {
	CheckPassword(ctx context.Context, email, password string) (clinicianID string, err error)
	ChangePassword(ctx context.Context, clinicianID, oldPassword, newPassword string) error
	SendSMS(ctx context.Context, clinicianID, text string) error
}

// Handler serves the sign-in endpoints.
type Handler struct {
	Sessions   *SessionStore
	Challenges *ChallengeStore
	StepUps    *StepUpStore
	Dir        Directory
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Login checks the password, opens a session and sends an MFA code.
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	attemptsKey := "login-attempts:" + clientIP(r)
	attempts := 0
	if raw, err := kvstore.Get(ctx, attemptsKey); err == nil {
		attempts, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if attempts >= 10 {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	clinicianID, err := h.Dir.CheckPassword(ctx, req.Email, req.Password)
	if err != nil {
		_ = kvstore.Put(ctx, attemptsKey, []byte(strconv.Itoa(attempts+1)), 15*time.Minute) // EXPECT kvcounter|kvrace
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	sess, err := h.Sessions.Create(ctx, clinicianID, clientIP(r))
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	ch, code, err := h.Challenges.Issue(ctx, sess)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := h.Dir.SendSMS(ctx, clinicianID, "Your Bunting code is "+code); err != nil {
		http.Error(w, "sms failed", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(SessionLifetime.Seconds()),
	})
	writeJSON(w, http.StatusOK, map[string]string{"challenge_id": ch.ID})
}

type verifyRequest struct {
	ChallengeID string `json:"challenge_id"`
	Code        string `json:"code"`
}

// VerifyMFA checks the one-time code for the session in the cookie.
func (h *Handler) VerifyMFA(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		http.Error(w, "no session", http.StatusUnauthorized)
		return
	}
	var req verifyRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ch, err := h.Challenges.Verify(r.Context(), req.ChallengeID, req.Code)
	switch {
	case errors.Is(err, ErrBadCode):
		http.Error(w, "incorrect code", http.StatusUnauthorized)
		return
	case errors.Is(err, ErrLocked):
		http.Error(w, "locked", http.StatusTooManyRequests)
		return
	case err != nil:
		http.Error(w, "unknown challenge", http.StatusNotFound)
		return
	}
	if ch.SessionID != c.Value {
		http.Error(w, "session mismatch", http.StatusForbidden)
		return
	}
	if err := h.Sessions.MarkMFAVerified(r.Context(), c.Value); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Current loads the session named by the cookie and records the activity.
func (h *Handler) Current(r *http.Request, out *ClinicianSession) error {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return err
	}
	if err := h.Sessions.Lookup(r.Context(), c.Value, out); err != nil {
		return err
	}
	if !out.MFAVerified {
		return errors.New("auth: second factor pending")
	}
	return h.Sessions.Touch(r.Context(), out)
}

// Logout ends the session in the cookie.
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err == nil {
		_ = h.Sessions.Revoke(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

type passwordRequest struct {
	Old string `json:"old_password"`
	New string `json:"new_password"`
}

// ChangePassword updates the password and signs out every device.
func (h *Handler) ChangePassword(w http.ResponseWriter, r *http.Request) {
	var sess ClinicianSession
	if err := h.Current(r, &sess); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var req passwordRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := h.Dir.ChangePassword(r.Context(), sess.ClinicianID, req.Old, req.New); err != nil {
		http.Error(w, "rejected", http.StatusForbidden)
		return
	}
	n, err := h.Sessions.RevokeAll(r.Context(), sess.ClinicianID)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"signed_out": n})
}

// SmartLaunchStart begins an EHR launch; iss and launch come from the query.
func (h *Handler) SmartLaunchStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := SmartLaunch{State: randomID(16), Issuer: q.Get("iss"), Launch: q.Get("launch"), Verifier: randomID(32)}
	if err := SaveLaunch(r.Context(), l); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, l.Issuer+"/authorize?state="+l.State+"&launch="+l.Launch, http.StatusFound)
}

// SmartCallback completes an EHR launch.
func (h *Handler) SmartCallback(w http.ResponseWriter, r *http.Request) {
	l, err := ConsumeLaunch(r.Context(), r.URL.Query().Get("state"))
	if err != nil {
		http.Error(w, "bad state", http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"iss": l.Issuer})
}

// ConfirmStepUp records the EPCS second confirmation for a prescription.
func (h *Handler) ConfirmStepUp(w http.ResponseWriter, r *http.Request) {
	var sess ClinicianSession
	if err := h.Current(r, &sess); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	rxID := r.URL.Query().Get("rx")
	if err := h.StepUps.Confirm(r.Context(), sess.ID, rxID); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
