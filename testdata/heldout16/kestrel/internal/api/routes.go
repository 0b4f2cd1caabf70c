// Package api registers kestrel's JSON endpoints on a ServeMux.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"example.com/kestrel/internal/auth"
	"example.com/kestrel/internal/flags"
	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/invites"
	"example.com/kestrel/internal/pairing"
	"example.com/kestrel/internal/prefs"
	"example.com/kestrel/internal/store"
)

// Deps are the services behind the endpoints.
type Deps struct {
	Invites     *invites.Service
	Flags       *flags.Service
	Evaluator   *flags.Evaluator
	Experiments *flags.Experiments
	Prefs       *prefs.Service
	Keys        *auth.Keys
	Resets      *auth.Resets
	Claimer     *pairing.Claimer
	Insights    *Insights
	Health      store.Store
	// Defer runs f after the response is sent (ctx.waitUntil in Workers).
	Defer func(f func())
}

type route struct {
	pattern string
	h       http.HandlerFunc
}

// Register adds every route to mux.
func Register(mux *http.ServeMux, d Deps) {
	routes := []route{
		{"POST /v1/invites", httpx.Handle(d.Invites.Create)},
		{"GET /v1/orgs/{org}/invites", httpx.Handle(d.Invites.List)},
		{"POST /v1/invites/accept", httpx.Handle(d.acceptInvite)},
		{"GET /v1/flags/{key}", httpx.Handle(func(ctx context.Context, r flagRequest) (flags.Flag, error) { return d.Flags.Get(ctx, r.Key) })},
		{"PATCH /v1/flags", httpx.Handle(d.Flags.Update)},
		{"POST /v1/evaluate", httpx.Handle(d.Evaluator.Evaluate)},
		{"POST /v1/experiments/assign", httpx.Handle(d.Experiments.Assign)},
		{"GET /v1/prefs", httpx.Handle(d.Prefs.Get)},
		{"PATCH /v1/prefs", httpx.Handle(d.Prefs.Patch)},
		{"PUT /v1/prefs", httpx.Handle(d.Prefs.Replace)},
		{"POST /v1/keys", httpx.Handle(d.Keys.Create)},
		{"POST /v1/keys/revoke", httpx.Handle(d.Keys.Revoke)},
		{"POST /v1/password/reset", httpx.Handle(func(ctx context.Context, r resetRequest) (struct{}, error) {
			return struct{}{}, d.Resets.Request(ctx, r.UserID, r.Email)
		})},
		{"POST /v1/password/redeem", httpx.Handle(func(ctx context.Context, r resetRequest) (resetRequest, error) {
			uid, err := d.Resets.Redeem(ctx, r.Token)
			return resetRequest{UserID: uid}, err
		})},
		{"POST /v1/pair/claim", httpx.Handle(d.Claimer.Claim)},
		{"GET /v1/orgs/{org}/insights", httpx.Handle(d.Insights.Get)},
		{"GET /healthz", Health(d.Health)},
	}
	for _, rt := range routes {
		mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			slog.Debug("request", "route", rt.pattern)
			rt.h(w, r)
		})
	}
}

type resetRequest struct {
	UserID string `json:"user_id,omitempty"`
	Email  string `json:"email,omitempty"`
	Token  string `json:"token,omitempty"`
}

type flagRequest struct{ Key string }

func (f *flagRequest) Bind(r *http.Request) error { f.Key = r.PathValue("key"); return nil }

// acceptInvite redeems the invitation, then makes sure the new member has
// a preferences document once the response is on its way.
func (d Deps) acceptInvite(ctx context.Context, req invites.AcceptRequest) (invites.Invite, error) {
	inv, err := d.Invites.Accept(ctx, req)
	if err != nil {
		return inv, err
	}
	bg := context.WithoutCancel(ctx)
	d.Defer(func() {
		if err := d.Prefs.Ensure(bg, req.UserID); err != nil {
			slog.WarnContext(bg, "prefs ensure failed", "user", req.UserID, "err", err)
		}
	})
	return inv, nil
}
