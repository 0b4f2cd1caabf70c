package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/quill/internal/authorlogin"
	"example.com/quill/internal/collab"
	"example.com/quill/internal/subscriptions"
)

// pixel is a transparent 1x1 GIF.
var pixel, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Referrer string `json:"ref"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad request")
		return
	}
	err := s.Subs.Subscribe(r.Context(), r.PathValue("tenant"), req.Email, req.Referrer)
	reply(w, r, http.StatusAccepted, map[string]string{"status": "check your inbox"}, err)
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	sub, err := s.Subs.Confirm(r.Context(), r.PathValue("tenant"), r.URL.Query().Get("t"))
	reply(w, r, http.StatusOK, sub, err)
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	err := s.Subs.Unsubscribe(r.Context(), r.PathValue("tenant"), r.URL.Query().Get("t"))
	if errors.Is(err, subscriptions.ErrAlreadyUsed) {
		err = nil
	}
	reply(w, r, http.StatusOK, map[string]string{"status": "unsubscribed"}, err)
}

func (s *Server) archivePage(w http.ResponseWriter, r *http.Request) {
	list, err := s.Archive(r.PathValue("tenant")).Page(r.Context(), r.URL.Query().Get("cursor"))
	w.Header().Set("Cache-Control", "public, max-age=60")
	reply(w, r, http.StatusOK, list, err)
}

func (s *Server) archiveIssue(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	n, ok := pathInt(r, "n")
	if !ok {
		fail(w, http.StatusNotFound, "no such issue")
		return
	}
	iss, err := s.Archive(tenant).Issue(r.Context(), n)
	if err != nil {
		reply(w, r, 0, nil, err)
		return
	}
	if iss.PaidOnly {
		reader := r.Header.Get("X-Quill-Reader")
		ent, err := s.Ent.Lookup(r.Context(), tenant, reader)
		if err != nil {
			reply(w, r, 0, nil, err)
			return
		}
		if reader == "" || !ent.Paid(time.Now()) {
			fail(w, http.StatusPaymentRequired, "this issue is for paying subscribers")
			return
		}
	}
	reply(w, r, http.StatusOK, iss, nil)
}

func (s *Server) startTrial(w http.ResponseWriter, r *http.Request) {
	reader := r.Header.Get("X-Quill-Reader")
	if reader == "" {
		fail(w, http.StatusUnauthorized, "sign in to start a trial")
		return
	}
	ent, err := s.Ent.StartTrial(r.Context(), r.PathValue("tenant"), reader)
	reply(w, r, http.StatusCreated, ent, err)
}

func (s *Server) openPixel(w http.ResponseWriter, r *http.Request) {
	if n, ok := pathInt(r, "issue"); ok {
		if err := s.Tallies.RecordOpen(r.Context(), r.PathValue("tenant"), n); err != nil {
			log.Printf("httpapi: record open: %v", err)
		}
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(pixel)
}

func (s *Server) click(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("u")
	if !strings.HasPrefix(target, "https://") {
		fail(w, http.StatusBadRequest, "bad target")
		return
	}
	if n, ok := pathInt(r, "issue"); ok {
		if err := s.Tallies.RecordClick(r.Context(), r.PathValue("tenant"), n, r.PathValue("link")); err != nil {
			log.Printf("httpapi: record click: %v", err)
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	n, ok := pathInt(r, "issue")
	if !ok {
		fail(w, http.StatusNotFound, "no such issue")
		return
	}
	if err := s.Downloads.Hit(r.Context(), tenant, n); err != nil {
		log.Printf("httpapi: count download: %v", err)
	}
	http.Redirect(w, r, fmt.Sprintf("%s/%s/%d.pdf", s.PDFBase, tenant, n), http.StatusFound)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/editor") {
		next = "/editor"
	}
	u, err := s.PKCE.Begin(r.Context(), next)
	if err != nil {
		reply(w, r, 0, nil, err)
		return
	}
	http.Redirect(w, r, u, http.StatusFound)
}

func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, next, err := s.PKCE.Complete(r.Context(), q.Get("state"), q.Get("code"))
	if errors.Is(err, authorlogin.ErrUnknownState) {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	if err == nil {
		err = s.PKCE.CheckLockout(r.Context(), id.Email)
	}
	var sess authorlogin.Session
	if err == nil {
		sess, err = s.Sessions.Create(r.Context(), id)
	}
	if err != nil {
		if id.Email != "" {
			_ = s.PKCE.NoteFailure(r.Context(), id.Email)
		}
		reply(w, r, 0, nil, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.Cookie(), Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, next, http.StatusFound)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess authorlogin.Session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	reply(w, r, http.StatusNoContent, nil, s.Sessions.Logout(r.Context(), sess))
}

func (s *Server) revokeAll(w http.ResponseWriter, r *http.Request, sess authorlogin.Session) {
	reply(w, r, http.StatusNoContent, nil, s.Sessions.RevokeAll(r.Context(), sess.Author))
}

func (s *Server) getDraft(w http.ResponseWriter, r *http.Request, sess authorlogin.Session) {
	d, err := s.Drafts.Load(r.Context(), sess.Author, r.PathValue("id"))
	reply(w, r, http.StatusOK, d, err)
}

func (s *Server) saveDraft(w http.ResponseWriter, r *http.Request, sess authorlogin.Session) {
	var req struct{ Tenant, Title, Body string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad request")
		return
	}
	saved, err := s.Drafts.Autosave(r.Context(), sess.Author, req.Tenant, r.PathValue("id"), req.Title, req.Body)
	reply(w, r, http.StatusOK, map[string]any{"saved": saved}, err)
}

func (s *Server) lockSection(w http.ResponseWriter, r *http.Request, sess authorlogin.Session) {
	lk, err := s.Locks.Acquire(r.Context(), r.PathValue("doc"), r.PathValue("section"), sess.Name)
	var locked *collab.ErrLocked
	if errors.As(err, &locked) {
		writeJSON(w, http.StatusConflict, map[string]any{"holder": locked.Holder, "until": locked.Until})
		return
	}
	reply(w, r, http.StatusOK, lk, err)
}
