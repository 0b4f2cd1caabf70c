package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/sessions"
)

func (s *Server) requestLink(w http.ResponseWriter, r *http.Request) {
	in, err := decode[struct {
		Email    string `json:"email"`
		Redirect string `json:"redirect"`
	}](r)
	if err != nil {
		writeError(w, err)
		return
	}
	if !strings.HasPrefix(in.Redirect, "/") || strings.HasPrefix(in.Redirect, "//") {
		in.Redirect = "/"
	}
	_, err = s.Accounts.ByEmail(r.Context(), in.Email)
	if err == nil {
		err = s.Links.Issue(r.Context(), in.Email, in.Redirect)
	}
	// Unknown addresses get the same answer, so registration is not revealed.
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]bool{"sent": true})
}

func (s *Server) redeemLink(w http.ResponseWriter, r *http.Request) {
	link, err := s.Links.Redeem(r.Context(), r.PathValue("token"))
	if err != nil {
		writeError(w, err)
		return
	}
	c, err := s.Accounts.ByEmail(r.Context(), link.Email)
	if err != nil {
		writeError(w, err)
		return
	}
	if c.Deactivated {
		writeError(w, domain.ErrForbidden)
		return
	}
	sess, err := s.Sessions.Create(r.Context(), c.ID, r.UserAgent())
	if err != nil {
		writeError(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessions.CookieName,
		Value:    sess.ID,
		Path:     "/",
		Expires:  sess.ExpiresAt,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, link.RedirectTo, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if sess, ok := sessions.FromContext(r.Context()); ok {
		if err := s.Sessions.Logout(r.Context(), sess.ID); err != nil {
			writeError(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessions.CookieName, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deviceApprove(w http.ResponseWriter, r *http.Request, sess domain.Session) {
	if err := s.Lockout.Check(r.Context(), sess.CitizenID); err != nil {
		writeError(w, err)
		return
	}
	code, err := io.ReadAll(io.LimitReader(r.Body, 32))
	if err != nil {
		writeError(w, err)
		return
	}
	err = s.Devices.Approve(r.Context(), strings.TrimSpace(string(code)), sess.CitizenID)
	if errors.Is(err, domain.ErrNotFound) {
		_ = s.Lockout.Fail(r.Context(), sess.CitizenID)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	_ = s.Lockout.Clear(r.Context(), sess.CitizenID)
	w.WriteHeader(http.StatusNoContent)
}
