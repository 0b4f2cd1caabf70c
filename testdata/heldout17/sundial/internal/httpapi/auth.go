package httpapi

import (
	"context"
	"net/http"

	"example.com/sundial/internal/organiser"
)

type sessionKey struct{}

func sessionFrom(ctx context.Context) organiser.Session {
	s, _ := ctx.Value(sessionKey{}).(organiser.Session)
	return s
}

// authed resolves the organiser session of the request and keeps it alive.
func (a *API) authed(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(a.SessionCookie)
		if err != nil {
			writeJSON(w, http.StatusUnauthorized, problem{Error: "sign in required"})
			return
		}
		sess, err := a.Organisers.Touch(r.Context(), c.Value)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

func setSession(w http.ResponseWriter, name string, s organiser.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: s.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

func (a *API) confirmEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	if err := readJSON(r, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, problem{Error: err.Error()})
		return
	}
	o, err := a.Organisers.ConfirmEmail(r.Context(), in.Email, in.Code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sess, err := a.Organisers.StartSession(r.Context(), o)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	setSession(w, a.SessionCookie, sess)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// makeRedeem signs an organiser in with a recovery code.
func makeRedeem(org *organiser.Service, cookie string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Email string `json:"email"`
			Code  string `json:"code"`
		}
		if err := readJSON(r, &in); err != nil {
			writeJSON(w, http.StatusBadRequest, problem{Error: err.Error()})
			return
		}
		o, err := org.ByEmail(r.Context(), in.Email)
		if err != nil {
			writeJSON(w, http.StatusUnauthorized, problem{Error: organiser.ErrWrongCode.Error()})
			return
		}
		sess, err := org.RedeemRecoveryCode(r.Context(), o, in.Code)
		if err != nil {
			writeJSON(w, http.StatusUnauthorized, problem{Error: err.Error()})
			return
		}
		setSession(w, cookie, sess)
		writeJSON(w, http.StatusOK, map[string]any{"elevated": true})
	}
}
