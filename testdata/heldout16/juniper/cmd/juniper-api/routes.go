package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/juniper/internal/auth"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/httpx"
	"example.com/juniper/internal/invites"
	"example.com/juniper/internal/pairing"
	"example.com/juniper/internal/venues"
)

type (
	credentials struct {
		Token    string `json:"-"`
		Email    string `json:"email"`
		Password string `json:"password"`
		Code     string `json:"code"`
		Device   string `json:"device"`
	}
	venueReq struct {
		VenueID  string    `json:"-"`
		Email    string    `json:"email"`
		Role     string    `json:"role"`
		Expires  time.Time `json:"expires"`
		Revision int64     `json:"rev"`
		Name     string    `json:"name"`
		Timezone string    `json:"tz"`
	}
	widgetReq struct{ Slug, Day string }
)

func (r *credentials) BindPath(req *http.Request) { r.Token = req.PathValue("token") }
func (r *venueReq) BindPath(req *http.Request)    { r.VenueID = req.PathValue("venue") }
func (r *widgetReq) BindPath(req *http.Request) {
	r.Slug, r.Day = req.PathValue("slug"), req.URL.Query().Get("day")
}

func (a *app) routes(cfg *config.Config) http.Handler {
	mux := http.NewServeMux()
	a.bookings.Routes(mux)

	mux.Handle("POST /v1/auth/login", httpx.Handle(func(ctx context.Context, req credentials) (auth.Session, error) {
		s, err := a.sessions.Login(ctx, req.Email, req.Password)
		if errors.Is(err, auth.ErrBadCredentials) || errors.Is(err, auth.ErrLockedOut) {
			return s, httpx.Unauthorized()
		}
		return s, err
	}))
	mux.Handle("POST /v1/auth/reset", httpx.Handle(func(ctx context.Context, req credentials) (struct{}, error) {
		return struct{}{}, a.resets.Issue(ctx, req.Email)
	}))
	mux.Handle("PUT /v1/auth/reset/{token}", httpx.Handle(func(ctx context.Context, req credentials) (struct{}, error) {
		return struct{}{}, a.resets.Redeem(ctx, req.Token, req.Password)
	}))
	mux.Handle("POST /v1/invites/{token}/accept", httpx.Handle(func(ctx context.Context, req credentials) (invites.Membership, error) {
		m, err := a.invites.Accept(ctx, req.Token, req.Device)
		if errors.Is(err, invites.ErrInvalid) || errors.Is(err, invites.ErrExpired) {
			return m, httpx.NotFound("invitation is no longer valid")
		}
		return m, err
	}))
	mux.Handle("POST /v1/devices/pair", httpx.Handle(func(ctx context.Context, req credentials) (pairing.Device, error) {
		dev, err := a.pairing.Redeem(ctx, req.Code, req.Device)
		if errors.Is(err, pairing.ErrUnknownCode) {
			return dev, httpx.NotFound("unknown code")
		}
		return dev, err
	}))
	mux.HandleFunc("GET /v1/flags/evaluate", a.flags.ServeEvaluate)
	for _, name := range cfg.Experiments {
		mux.HandleFunc("GET /v1/flags/"+name, func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(strconv.FormatBool(a.flags.Enabled(r.Context(), name))))
		})
	}
	mux.Handle("GET /v1/widget/{slug}", httpx.Handle(a.widget))
	mux.Handle("GET /v1/partner/availability", a.limiter.Middleware(http.HandlerFunc(a.partnerFeed)))

	console := http.NewServeMux()
	console.Handle("POST /console/logout", httpx.Handle(func(ctx context.Context, _ struct{}) (struct{}, error) {
		s, _ := auth.FromContext(ctx)
		return struct{}{}, a.sessions.Logout(ctx, s.ID)
	}))
	console.Handle("POST /console/venues/{venue}/invites", httpx.Handle(func(ctx context.Context, req venueReq) (invites.InviteToken, error) {
		s, _ := auth.FromContext(ctx)
		return a.invites.Create(ctx, req.VenueID, req.Email, req.Role, s.StaffID, req.Expires)
	}))
	console.Handle("GET /console/venues/{venue}/invites", httpx.Handle(func(ctx context.Context, req venueReq) ([]invites.InviteToken, error) {
		list, _, err := a.invites.Pending(ctx, req.VenueID)
		return list, err
	}))
	console.Handle("PUT /console/venues/{venue}/settings", httpx.Handle(func(ctx context.Context, req venueReq) (venues.Settings, error) {
		s, err := a.venues.Update(ctx, req.VenueID, req.Revision, func(s *venues.Settings) {
			s.Name, s.Timezone = req.Name, req.Timezone
		})
		if errors.Is(err, venues.ErrStale) {
			return s, httpx.Conflict("settings changed; reload and try again")
		}
		return s, err
	}))
	console.Handle("POST /console/venues/{venue}/devices", httpx.Handle(func(ctx context.Context, req venueReq) (map[string]string, error) {
		s, _ := auth.FromContext(ctx)
		code, err := a.pairing.Issue(ctx, req.VenueID, req.Name, s.StaffID)
		return map[string]string{"code": code}, err
	}))
	mux.Handle("/console/", a.sessions.Middleware(console))
	return mux
}

func (a *app) widget(ctx context.Context, req widgetReq) (map[string]any, error) {
	venueID, err := a.venues.Resolve(ctx, req.Slug)
	if errors.Is(err, venues.ErrUnknownSlug) {
		return nil, httpx.NotFound("no such venue")
	} else if err != nil {
		return nil, err
	}
	day := time.Now()
	if req.Day != "" {
		if day, err = time.Parse(time.DateOnly, req.Day); err != nil {
			return nil, httpx.BadRequest("day must be YYYY-MM-DD")
		}
	}
	theme, err := a.menus.Theme(ctx, venueID)
	if err != nil {
		return nil, err
	}
	slots, err := a.avail.Slots(ctx, venueID, day)
	if err != nil {
		return nil, err
	}
	if err := a.menus.RecordView(ctx, venueID); err != nil {
		a.log.DebugContext(ctx, "widget view not recorded", "err", err)
	}
	return map[string]any{"venue": venueID, "theme": theme, "slots": slots}, nil
}

func (a *app) partnerFeed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	party, err := strconv.Atoi(q.Get("party"))
	if err != nil || party <= 0 {
		http.Error(w, "party must be a positive integer", http.StatusBadRequest)
		return
	}
	body, err := a.avail.PartnerFeed(r.Context(), q.Get("venue"), q.Get("from"), q.Get("to"), party)
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
