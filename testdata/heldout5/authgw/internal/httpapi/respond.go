package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/authgw/internal/audit"
	"example.com/authgw/internal/middleware"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, status int, msg string, err error) {
	if err != nil && status >= 500 {
		a.d.Log.Error(msg, "err", err, "path", r.URL.Path, "req", middleware.RequestIDFrom(r.Context()))
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

// record writes an audit event; audit failures never fail the request.
func (a *API) record(r *http.Request, actor, action, target string, ok bool) {
	ev := audit.Event{At: time.Now(), Actor: actor, Action: action, Target: target, IP: middleware.ClientIP(r), OK: ok}
	if err := a.d.Audit(r.Context(), ev); err != nil {
		a.d.Log.Warn("audit write failed", "action", action, "err", err)
	}
}

func setSessionCookie(w http.ResponseWriter, id string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: middleware.SessionCookie, Value: id, Path: "/", Expires: exp,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: middleware.SessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true})
}

// safeReturn only allows same-site relative redirects.
func safeReturn(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(raw, "//") {
		return "/"
	}
	return u.RequestURI()
}
