package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"example.com/foundry/internal/auth"
	"example.com/foundry/internal/flags"
	"example.com/foundry/internal/guilds"
	"example.com/foundry/internal/httpx"
	"example.com/foundry/internal/invites"
	"example.com/foundry/internal/lobby"
	"example.com/foundry/internal/matchmaking"
	"example.com/foundry/internal/pairing"
	"example.com/foundry/internal/prefs"
	"example.com/foundry/internal/profiles"
)

// req carries path values, the API key and the union of small JSON bodies.
type req struct {
	ID, Region, Group, Code, APIKey string `json:"-"`

	Rev         int64        `json:"rev"`
	Name        string       `json:"name"`
	Token       string       `json:"token"`
	Password    string       `json:"password"`
	Kind        invites.Kind `json:"kind"`
	To          []string     `json:"to"`
	CheckInEnds time.Time    `json:"check_in_ends"`
	profiles.Patch
	matchmaking.Ticket
}

func (p *req) Bind(r *http.Request) error {
	p.ID, p.Region = r.PathValue("id"), r.PathValue("region")
	p.Group, p.Code = r.PathValue("group"), r.PathValue("code")
	p.APIKey = r.Header.Get("X-Api-Key")
	return nil
}

func player(ctx context.Context) string {
	s, _ := auth.FromContext(ctx)
	return s.PlayerID
}

var statusOf = []struct {
	code int
	errs []error
}{
	{http.StatusNotFound, []error{profiles.ErrNoProfile, lobby.ErrNotFound, pairing.ErrUnknownCode}},
	{http.StatusConflict, []error{profiles.ErrConflict, lobby.ErrFull, guilds.ErrNameTaken}},
	{http.StatusGone, []error{invites.ErrUnknown, invites.ErrExpired, auth.ErrBadLink}},
	{http.StatusForbidden, []error{auth.ErrNoSession, invites.ErrNotYours}},
	{http.StatusTooManyRequests, []error{matchmaking.ErrQuota}},
}

// mapped turns domain errors into HTTP errors.
func mapped[T any](v T, err error) (T, error) {
	for _, s := range statusOf {
		for _, e := range s.errs {
			if errors.Is(err, e) {
				return v, httpx.Error(s.code, err.Error())
			}
		}
	}
	return v, err
}

func (a *app) routes() http.Handler {
	pub, authed := http.NewServeMux(), http.NewServeMux()
	type H = func(context.Context, req) (any, error)
	handle := func(mux *http.ServeMux, pattern string, fn H) { mux.Handle(pattern, httpx.Handle(fn)) }

	handle(pub, "GET /v1/players/{id}/card", func(ctx context.Context, r req) (any, error) {
		return mapped(a.profiles.Card(ctx, r.ID))
	})
	handle(pub, "GET /v1/lobbies/{region}", func(ctx context.Context, r req) (any, error) { return a.lobbies.Browse(ctx, r.Region) })
	handle(pub, "POST /v1/matchmaking/tickets", func(ctx context.Context, r req) (any, error) {
		return mapped(a.queue.Enqueue(ctx, r.APIKey, r.Ticket))
	})
	handle(pub, "POST /v1/guilds/{id}/views", func(ctx context.Context, r req) (any, error) { return a.guilds.View(ctx, r.ID) })
	handle(pub, "POST /v1/auth/refresh", func(ctx context.Context, r req) (any, error) {
		next, sid, err := a.sessions.Rotate(ctx, r.Token)
		return mapped([]string{next, sid}, err)
	})
	handle(pub, "POST /v1/auth/reset", func(ctx context.Context, r req) (any, error) {
		return mapped[any](nil, a.resets.Redeem(ctx, r.Token, r.Password))
	})
	handle(pub, "POST /v1/players", func(ctx context.Context, r req) (any, error) { return a.profiles.Register(ctx, r.Name, r.Region) })
	handle(pub, "POST /v1/auth/forgot", func(ctx context.Context, r req) (any, error) { return nil, a.resets.Issue(ctx, r.Name) })
	handle(pub, "GET /v1/matchmaking/{id}/sample", func(ctx context.Context, r req) (any, error) {
		names, cursor, err := a.queue.Peek(ctx, r.ID)
		return map[string]any{"tickets": names, "cursor": cursor}, err
	})
	handle(pub, "GET /v1/stats/top", func(ctx context.Context, _ req) (any, error) { return a.reports.TopPlayers(ctx) })
	pub.Handle("POST /v1/fleet/heartbeat", httpx.Handle(a.fleet.Beat))
	pub.Handle("POST /v1/pair", httpx.Handle(a.pairing.Start))
	pub.Handle("PUT /internal/flags", internal(httpx.Handle(func(ctx context.Context, f flags.Flag) (flags.Flag, error) {
		return f, a.flags.Publish(ctx, f)
	})))
	pub.Handle("POST /internal/auth/failed", internal(httpx.Handle(func(ctx context.Context, r req) (any, error) {
		return nil, a.lockout.Failed(ctx, r.Name)
	})))
	pub.Handle("POST /internal/telemetry/matches", internal(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
		if err == nil {
			err = a.ingest.Ingest(r.Context(), [][]byte{body})
		}
		if err != nil {
			a.log.Warn("ingest", "err", err)
		}
		w.WriteHeader(http.StatusAccepted)
	})))

	handle(authed, "PATCH /v1/me/profile", func(ctx context.Context, r req) (any, error) {
		return mapped(a.profiles.Update(ctx, player(ctx), r.Rev, r.Patch))
	})
	handle(authed, "POST /v1/guilds", func(ctx context.Context, r req) (any, error) {
		return mapped(a.guilds.Create(ctx, r.Name, player(ctx)))
	})
	// The host keeps a long-poll open on /host; the lobby closes when it drops.
	authed.HandleFunc("POST /v1/lobbies/{region}/host", func(w http.ResponseWriter, r *http.Request) {
		l, err := a.lobbies.Create(r.Context(), r.Context(), player(r.Context()), r.PathValue("region"), r.URL.Query().Get("mode"), 8)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("X-Lobby-Id", l.ID)
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	handle(authed, "POST /v1/lobbies/{region}/{id}/join", func(ctx context.Context, r req) (any, error) {
		return mapped(a.lobbies.Join(ctx, r.Region, r.ID, player(ctx)))
	})
	handle(authed, "POST /v1/lobbies/{region}/{id}/heartbeat", func(ctx context.Context, r req) (any, error) {
		return nil, a.lobbies.Heartbeat(ctx, r.Region, r.ID)
	})
	handle(authed, "POST /v1/invites/{group}", func(ctx context.Context, r req) (any, error) {
		if r.Kind != invites.Tournament {
			return a.invites.SendMany(ctx, r.Kind, r.Group, player(ctx), r.To)
		}
		out := make([]invites.Invite, 0, len(r.To))
		for _, to := range r.To {
			inv, err := a.invites.InviteToTournament(ctx, r.Group, r.CheckInEnds, player(ctx), to)
			if err != nil {
				return out, err
			}
			out = append(out, inv)
		}
		return out, nil
	})
	handle(authed, "POST /v1/invites/{group}/{code}/accept", func(ctx context.Context, r req) (any, error) {
		return mapped(a.invites.Accept(ctx, r.Group, r.Code, player(ctx)))
	})
	handle(authed, "GET /v1/invites/{group}", func(ctx context.Context, r req) (any, error) {
		pending, truncated, err := a.invites.Pending(ctx, r.Group)
		return map[string]any{"invites": pending, "truncated": truncated}, err
	})
	handle(authed, "POST /v1/auth/logout", func(ctx context.Context, _ req) (any, error) {
		s, _ := auth.FromContext(ctx)
		return nil, a.sessions.Logout(ctx, s.ID)
	})
	handle(authed, "POST /v1/pair/{code}", func(ctx context.Context, r req) (any, error) {
		return mapped(a.pairing.Claim(ctx, r.Code, player(ctx)))
	})
	handle(authed, "GET /v1/flags/{id}", func(ctx context.Context, r req) (any, error) {
		f, ok, err := a.flags.Get(ctx, r.ID)
		if err == nil && !ok {
			err = httpx.Error(http.StatusNotFound, "no such flag")
		}
		if err == nil {
			err = a.flags.RecordExposure(ctx, f, player(ctx), strconv.FormatBool(f.Enabled))
		}
		return f, err
	})
	handle(authed, "GET /v1/me/settings", func(ctx context.Context, _ req) (any, error) {
		rec := prefs.Settings{PlayerID: player(ctx)}
		return rec, a.prefs.Load(ctx, &rec)
	})
	authed.Handle("PUT /v1/me/settings", httpx.Handle(func(ctx context.Context, rec prefs.Settings) (prefs.Settings, error) {
		rec.PlayerID = player(ctx)
		return rec, a.prefs.Save(ctx, &rec)
	}))
	authed.Handle("PATCH /v1/me/privacy", httpx.Handle(func(ctx context.Context, changes map[string]any) (prefs.Privacy, error) {
		rec := prefs.Privacy{PlayerID: player(ctx)}
		return rec, a.prefs.Merge(ctx, &rec, changes)
	}))
	authed.Handle("POST /v1/experiments/arm", httpx.Handle(func(ctx context.Context, exp flags.Experiment) (string, error) {
		return a.exps.Arm(ctx, exp, player(ctx))
	}))

	pub.Handle("/v1/", a.sessions.Middleware(authed))
	return pub
}

// internal admits only requests that came through the private load balancer.
func internal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Foundry-Internal") == "" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
