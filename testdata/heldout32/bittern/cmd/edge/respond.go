//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"bittern/internal/episodes"
	"bittern/internal/feeds"
	"bittern/internal/model"
	"bittern/internal/quota"
	"bittern/internal/sessions"
)

var errBadRequest = errors.New("bad request")

type redirectTo struct {
	url    string
	cookie *http.Cookie
}

func redirect(url string) redirectTo { return redirectTo{url: url} }

func (r redirectTo) withCookie(c *http.Cookie) redirectTo {
	r.cookie = c
	return r
}

// public adapts a handler that needs no login.
func public(f func(context.Context, *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := f(r.Context(), r)
		respond(w, r, v, err)
	}
}

// authed adapts a dashboard handler: it loads the creator's session and
// keeps it alive.
func authed(f func(context.Context, *http.Request, *model.Session) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sess, err := sessions.Load(ctx, r)
		if err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		if err := sessions.Touch(ctx, sess); err != nil {
			slog.WarnContext(ctx, "session touch", "err", err)
		}
		v, err := f(ctx, r, sess)
		respond(w, r, v, err)
	}
}

func respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	var moved *feeds.MovedError
	if errors.As(err, &moved) {
		http.Redirect(w, r, "/feed/"+moved.Token, http.StatusMovedPermanently)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), statusOf(err))
		return
	}
	switch v := v.(type) {
	case nil:
		w.WriteHeader(http.StatusNoContent)
	case redirectTo:
		if v.cookie != nil {
			http.SetCookie(w, v.cookie)
		}
		http.Redirect(w, r, v.url, http.StatusSeeOther)
	case []byte:
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(v)
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, feeds.ErrUnknownToken), errors.Is(err, sessions.ErrBadCode):
		return http.StatusNotFound
	case errors.Is(err, feeds.ErrRevoked):
		return http.StatusGone
	case errors.Is(err, quota.ErrLimited), errors.Is(err, sessions.ErrTooManyAttempts):
		return http.StatusTooManyRequests
	case errors.Is(err, episodes.ErrSlugTaken):
		return http.StatusConflict
	case errors.Is(err, sessions.ErrLockedOut):
		return http.StatusForbidden
	}
	slog.Error("request failed", "err", err)
	return http.StatusInternalServerError
}
