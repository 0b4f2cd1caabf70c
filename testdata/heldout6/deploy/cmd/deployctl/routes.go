package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"example.com/deploy/internal/artifacts"
	"example.com/deploy/internal/daemon"
	"example.com/deploy/internal/flags"
	"example.com/deploy/internal/locks"
	"example.com/deploy/internal/releases"
	"example.com/deploy/internal/tokens"
	"example.com/deploy/internal/webhook"
)

func status(err error) int {
	switch {
	case errors.Is(err, flags.ErrUnknown), errors.Is(err, artifacts.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, locks.ErrHeld), errors.Is(err, locks.ErrNotOwner):
		return http.StatusConflict
	case errors.Is(err, tokens.ErrBadCode):
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	ci := daemon.RequireToken(a.tokens.Validate)
	ops := daemon.RequireSession(a.sessions, a.log)
	owner := func(r *http.Request) string {
		t := daemon.TokenFrom(r.Context())
		return t.Project + "/" + t.Name
	}

	mux.Handle("POST /hooks/{source}", a.receiver)
	mux.Handle("GET /v1/flags/{name}", ci(daemon.JSON(status, func(r *http.Request) (bool, error) {
		return a.flags.Evaluate(r.Context(), r.PathValue("name"), r.URL.Query().Get("subject"))
	})))
	mux.Handle("POST /v1/locks/{env}", ci(daemon.JSON(status, func(r *http.Request) (locks.Lock, error) {
		return a.locks.Acquire(r.Context(), r.PathValue("env"), owner(r), r.URL.Query().Get("reason"))
	})))
	mux.Handle("PUT /v1/locks/{env}", ci(daemon.JSON(status, func(r *http.Request) (locks.Lock, error) {
		return a.locks.Renew(r.Context(), r.PathValue("env"), owner(r))
	})))
	mux.Handle("DELETE /v1/locks/{env}", ci(daemon.JSON(status, func(r *http.Request) (bool, error) {
		return true, a.locks.Release(r.Context(), r.PathValue("env"), owner(r))
	})))
	mux.Handle("GET /v1/releases/{app}/{env}", ci(daemon.JSON(status, func(r *http.Request) (releases.Resolved, error) {
		return a.releases.Resolve(r.Context(), r.PathValue("app"), r.PathValue("env"))
	})))
	mux.Handle("GET /v1/artifacts/{digest}", ci(daemon.JSON(status, func(r *http.Request) (artifacts.Meta, error) {
		return a.artifacts.RecordHit(r.Context(), r.PathValue("digest"))
	})))
	mux.Handle("POST /v1/artifacts/{digest}/refs/{build}", ci(daemon.JSON(status, func(r *http.Request) (bool, error) {
		return true, a.artifacts.AddRef(r.Context(), r.PathValue("digest"), r.PathValue("build"))
	})))
	// Runners exchange their one-time bootstrap code; the code is the credential.
	mux.Handle("POST /v1/bootstrap/{code}", daemon.JSON(status, func(r *http.Request) (string, error) {
		secret, _, err := a.tokens.Redeem(r.Context(), r.PathValue("code"))
		return secret, err
	}))

	// The dashboard sits behind the SSO proxy, which sets the user header.
	mux.Handle("POST /login", daemon.JSON(status, func(r *http.Request) (string, error) {
		user := r.Header.Get("X-Auth-Request-User")
		if user == "" {
			return "", errors.New("no identity")
		}
		sess, err := a.sessions.Login(r.Context(), user)
		return sess.ID, err
	}))
	mux.Handle("POST /logout", ops(daemon.JSON(status, func(r *http.Request) (bool, error) {
		return true, a.sessions.Logout(r.Context(), daemon.SessionFrom(r.Context()).ID)
	})))
	mux.Handle("POST /ui/releases/{app}/{env}/{version}", ops(daemon.JSON(status, func(r *http.Request) (releases.Pointer, error) {
		return a.promote(r.Context(), r.PathValue("app"), r.PathValue("env"), r.PathValue("version"),
			daemon.SessionFrom(r.Context()).User)
	})))
	return daemon.Chain(mux, daemon.Logging(a.log))
}

// registerHooks connects webhook events to the services.
func (a *App) registerHooks() {
	type target struct{ App, Env string }
	decode := func(d webhook.Delivery) (t target, err error) { return t, json.Unmarshal(d.Payload, &t) }

	a.receiver.Handle("build", func(ctx context.Context, d webhook.Delivery) error {
		var m releases.Manifest
		if err := json.Unmarshal(d.Payload, &m); err != nil {
			return err
		}
		for _, digest := range m.Artifacts {
			if err := a.artifacts.AddRef(ctx, digest, m.App+"@"+m.Version); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
				return err
			}
		}
		_, err := a.releases.Publish(ctx, m)
		return err
	})
	a.receiver.Handle("probe_failed", func(ctx context.Context, d webhook.Delivery) error {
		t, err := decode(d)
		if err == nil {
			_, err = a.canary.ReportFailure(ctx, t.App, t.Env)
		}
		return err
	})
	a.receiver.Handle("probe_healthy", func(ctx context.Context, d webhook.Delivery) error {
		t, err := decode(d)
		if err == nil {
			_, err = a.canary.Advance(ctx, t.App, t.Env)
		}
		return err
	})
}
