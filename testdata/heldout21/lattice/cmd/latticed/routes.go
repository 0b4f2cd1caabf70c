package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"example.com/lattice/internal/authn"
	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/events"
	"example.com/lattice/internal/httpx"
	"example.com/lattice/internal/program"
	"example.com/lattice/internal/quota"
	"example.com/lattice/internal/submissions"
)

type plannerStub struct{}

func (plannerStub) Schedule(_ context.Context, c conf.ConferenceID) (program.Schedule, error) {
	return program.Schedule{Conference: c, Version: "draft"}, nil
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return httpx.Status(http.StatusBadRequest, err)
	}
	return nil
}

func (a *app) routes() []httpx.Route {
	signedIn := httpx.RequireSession(a.auth)
	return []httpx.Route{
		{Pattern: "POST /api/conferences/{conference}/submissions", Handler: a.submit, Middleware: []httpx.Middleware{signedIn}},
		{Pattern: "GET /api/conferences/{conference}/papers", Handler: a.listPapers},
		{Pattern: "GET /auth/link", Handler: a.redeemLink},
		{Pattern: "POST /auth/logout", Handler: a.logout, Middleware: []httpx.Middleware{signedIn}},
		{Pattern: "POST /api/domains/{host}/verify", Handler: a.verifyDomain, Middleware: []httpx.Middleware{signedIn, httpx.RequireRole("organiser")}},
		{Pattern: "GET /dl/{episode}", Handler: a.download},
		{Pattern: "GET /program/{conference}", Handler: func(w http.ResponseWriter, r *http.Request) error {
			a.program.Handler().ServeHTTP(w, r)
			return nil
		}},
	}
}

func (a *app) submit(w http.ResponseWriter, r *http.Request) error {
	s, _ := httpx.SessionFrom(r.Context())
	c, err := conf.NewConferenceID(r.PathValue("conference"))
	if err != nil {
		return httpx.Status(http.StatusNotFound, err)
	}
	var sub submissions.Submission
	if err := decode(r, &sub); err != nil {
		return err
	}
	if _, err := a.quota.Consume(r.Context(), quota.Plan("standard"), c, s.Author); err != nil {
		if errors.Is(err, quota.ErrExceeded) {
			return httpx.Status(http.StatusTooManyRequests, err)
		}
		return err
	}
	saved, err := a.subs.Submit(r.Context(), c, sub)
	if err != nil {
		return err
	}
	if _, err := a.subs.ClaimSlug(r.Context(), saved.ID, saved.Title); err != nil && !errors.Is(err, submissions.ErrSlugTaken) {
		return err
	}
	select {
	case a.bus <- events.NewPaperSubmitted(saved.ID, saved.Title, saved.Track):
	default:
	}
	w.WriteHeader(http.StatusCreated)
	return httpx.JSON(w, saved)
}

func (a *app) listPapers(w http.ResponseWriter, r *http.Request) error {
	page, err := a.subs.ListByConference(r.Context(), conf.ConferenceID(r.PathValue("conference")), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, page)
}

func (a *app) redeemLink(w http.ResponseWriter, r *http.Request) error {
	s, next, err := a.auth.RedeemMagicLink(r.Context(), r.URL.Query().Get("t"))
	if errors.Is(err, authn.ErrLinkUsed) {
		return httpx.Status(http.StatusGone, err)
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: "lattice_session", Value: string(s.ID), Path: "/",
		Expires: s.ExpiresAt, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	if next == "" {
		next = "/dashboard"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) error {
	s, _ := httpx.SessionFrom(r.Context())
	if err := a.auth.Logout(r.Context(), s.ID); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "lattice_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *app) verifyDomain(w http.ResponseWriter, r *http.Request) error {
	host, err := conf.NewHostname(r.PathValue("host"))
	if err != nil {
		return httpx.Status(http.StatusBadRequest, err)
	}
	ok, err := a.domains.Verify(r.Context(), host)
	if err != nil {
		return err
	}
	if !ok {
		if err := a.domains.ScheduleRecheck(r.Context(), host); err != nil {
			return err
		}
	}
	return httpx.JSON(w, map[string]bool{"verified": ok})
}

func (a *app) download(w http.ResponseWriter, r *http.Request) error {
	ep := conf.EpisodeID(r.PathValue("episode"))
	a.recorder.Hit(ep)
	http.Redirect(w, r, "https://media.lattice.example/"+string(ep)+".mp3", http.StatusFound)
	return nil
}
