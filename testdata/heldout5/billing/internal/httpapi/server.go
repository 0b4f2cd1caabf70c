// Package httpapi exposes the billing services over HTTP.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/coupon"
	"example.com/billing/internal/dunning"
	"example.com/billing/internal/entitlement"
	"example.com/billing/internal/invoice"
	"example.com/billing/internal/kvstore"
	"example.com/billing/internal/portal"
	"example.com/billing/internal/quota"
	"example.com/billing/internal/usage"
	"example.com/billing/internal/webhook"
)

// Deps are the services behind the API.
type Deps struct {
	Usage        *usage.Counters
	Quota        *quota.Checker
	Webhooks     *webhook.Processor
	Invoices     *invoice.Service
	Entitlements *entitlement.Publisher
	Coupons      *coupon.Service
	Portal       *portal.Service
	Dunning      *dunning.Service

	PublicLimit  AllowFunc
	WebhookLimit AllowFunc
	StatsKV      kvstore.KV
	Clock        clock.Clock
	Log          *slog.Logger
	// PlanOf resolves a customer's current plan ID.
	PlanOf func(ctx context.Context, customerID string) (string, error)
}

func decode[T any](r *http.Request) (T, error) {
	var v T
	err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&v)
	return v, err
}

type none struct{}

// endpoint adapts a typed function to a JSON handler. Bodies are decoded
// for methods other than GET and DELETE.
func endpoint[In, Out any](status int, fn func(r *http.Request, in In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if r.Method != http.MethodGet && r.Method != http.MethodDelete {
			v, err := decode[In](r)
			if err != nil && !errors.Is(err, io.EOF) {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			in = v
		}
		out, err := fn(r, in)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, status, out)
	}
}

func session(r *http.Request) portal.Session {
	s, _ := SessionFrom(r.Context())
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case kvstore.IsNotFound(err), errors.Is(err, portal.ErrNoSession):
		status = http.StatusNotFound
	case errors.Is(err, webhook.ErrDuplicate):
		status = http.StatusOK
	case errors.Is(err, coupon.ErrInvalid), errors.Is(err, coupon.ErrExhausted), errors.Is(err, coupon.ErrExists),
		errors.Is(err, portal.ErrBadLink):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, portal.ErrLockedOut):
		status = http.StatusTooManyRequests
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// Handler builds the routed handler.
func Handler(d Deps) http.Handler {
	public := http.NewServeMux()
	public.HandleFunc("POST /v1/usage", d.recordUsage)
	public.HandleFunc("GET /v1/usage/{customer}", endpoint(http.StatusOK, func(r *http.Request, _ none) (map[string]int64, error) {
		return d.Quota.MonthToDate(r.Context(), r.PathValue("customer"))
	}))
	public.HandleFunc("GET /v1/entitlements/{customer}", endpoint(http.StatusOK, func(r *http.Request, _ none) (entitlement.Snapshot, error) {
		return d.Entitlements.Lookup(r.Context(), r.PathValue("customer"))
	}))

	portalMux := http.NewServeMux()
	portalMux.HandleFunc("POST /portal/logout", d.logout)
	portalMux.HandleFunc("POST /portal/switch", endpoint(http.StatusOK, func(r *http.Request, in struct{ AccountID string }) (portal.Session, error) {
		return d.Portal.SwitchAccount(r.Context(), session(r).ID, in.AccountID)
	}))
	portalMux.HandleFunc("POST /portal/password-changed", endpoint(http.StatusOK, func(r *http.Request, in struct{ TokenIDs []string }) (none, error) {
		return none{}, d.Portal.PasswordChanged(r.Context(), session(r).CustomerID, in.TokenIDs...)
	}))
	portalMux.HandleFunc("GET /portal/sessions", endpoint(http.StatusOK, func(r *http.Request, _ none) (map[string]any, error) {
		ids, next, err := d.Portal.Sessions(r.Context(), session(r).CustomerID, r.URL.Query().Get("cursor"))
		return map[string]any{"sessions": ids, "cursor": next}, err
	}))
	portalMux.HandleFunc("POST /portal/coupons/redeem", endpoint(http.StatusOK, func(r *http.Request, in struct{ Code string }) (coupon.Coupon, error) {
		return d.Coupons.Redeem(r.Context(), in.Code, session(r).CustomerID)
	}))
	portalMux.HandleFunc("POST /portal/coupons/reserve", endpoint(http.StatusOK, func(r *http.Request, in struct{ Code string }) (none, error) {
		return none{}, d.Coupons.Reserve(r.Context(), in.Code, session(r).CustomerID)
	}))

	root := http.NewServeMux()
	root.Handle("/v1/", Chain(public,
		RateLimit(d.PublicLimit, apiKey),
		CountRequests(d.StatsKV, d.Clock),
	))
	root.Handle("/portal/", Chain(portalMux, RequireSession(d.Portal.Authenticate)))
	root.HandleFunc("POST /auth/magic", endpoint(http.StatusAccepted, func(r *http.Request, in struct{ Email, CustomerID string }) (none, error) {
		return none{}, d.Portal.IssueMagicLink(r.Context(), in.Email, in.CustomerID)
	}))
	root.HandleFunc("GET /auth/magic/{token}", d.consumeMagic)
	root.HandleFunc("POST /auth/login", d.passwordLogin)
	root.HandleFunc("GET /auth/sso", d.beginSSO)
	root.HandleFunc("GET /auth/sso/callback", d.completeSSO)
	root.Handle("POST /webhooks/{provider}", Chain(endpoint(http.StatusOK, func(r *http.Request, ev webhook.Event) (none, error) {
		ev.Provider = r.PathValue("provider")
		return none{}, d.Webhooks.Handle(r.Context(), ev)
	}), RateLimit(d.WebhookLimit, func(r *http.Request) string { return "whk:" + r.PathValue("provider") })))

	root.Handle("/admin/", d.adminRoutes())
	return Chain(root, Recover(d.Log), AccessLog(d.Log))
}

func (d Deps) adminRoutes() http.Handler {
	mux := http.NewServeMux()
	type draftReq struct {
		CustomerID string
		Currency   string
		DueAt      time.Time
	}
	mux.HandleFunc("POST /admin/invoices", endpoint(http.StatusCreated, func(r *http.Request, in draftReq) (invoice.Draft, error) {
		return d.Invoices.Create(r.Context(), in.CustomerID, in.Currency, in.DueAt)
	}))
	mux.HandleFunc("POST /admin/invoices/{id}/lines", endpoint(http.StatusOK, func(r *http.Request, in invoice.Line) (invoice.Draft, error) {
		return d.Invoices.AddLine(r.Context(), r.PathValue("id"), in)
	}))
	mux.HandleFunc("DELETE /admin/invoices/{id}/lines/{n}", endpoint(http.StatusOK, func(r *http.Request, _ none) (invoice.Draft, error) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil {
			return invoice.Draft{}, err
		}
		return d.Invoices.RemoveLine(r.Context(), r.PathValue("id"), n)
	}))
	mux.HandleFunc("POST /admin/invoices/{id}/coupon", endpoint(http.StatusOK, func(r *http.Request, in struct{ Code string }) (invoice.Draft, error) {
		return d.Invoices.ApplyCoupon(r.Context(), r.PathValue("id"), in.Code)
	}))
	mux.HandleFunc("POST /admin/invoices/{id}/share", endpoint(http.StatusCreated, func(r *http.Request, _ none) (string, error) {
		return d.Invoices.SharePreview(r.Context(), r.PathValue("id"))
	}))
	mux.HandleFunc("POST /admin/invoices/{id}/finalize", endpoint(http.StatusCreated, func(r *http.Request, _ none) (invoice.Final, error) {
		return d.Invoices.Finalize(r.Context(), r.PathValue("id"))
	}))
	mux.HandleFunc("POST /admin/entitlements/{customer}/grant", endpoint(http.StatusOK, func(r *http.Request, in struct{ Feature string }) (none, error) {
		return none{}, d.Entitlements.GrantFeature(r.Context(), r.PathValue("customer"), in.Feature)
	}))
	mux.HandleFunc("POST /admin/entitlements/publish", endpoint(http.StatusOK, func(r *http.Request, in struct{ Customers []string }) (none, error) {
		return none{}, d.Entitlements.PublishAll(r.Context(), in.Customers)
	}))
	mux.HandleFunc("POST /admin/coupons", endpoint(http.StatusCreated, func(r *http.Request, in coupon.Coupon) (none, error) {
		return none{}, d.Coupons.Define(r.Context(), in)
	}))
	type generateReq struct {
		Campaign   string
		Count      int
		ValidDays  int
		PercentOff int
	}
	mux.HandleFunc("POST /admin/coupons/generate", endpoint(http.StatusCreated, func(r *http.Request, in generateReq) ([]string, error) {
		if in.Count <= 0 || in.Count > 10_000 {
			return nil, errors.New("count must be 1..10000")
		}
		return d.Coupons.Generate(r.Context(), in.Campaign, in.Count, time.Duration(in.ValidDays)*24*time.Hour, in.PercentOff)
	}))
	mux.HandleFunc("DELETE /admin/campaigns/{campaign}", endpoint(http.StatusOK, func(r *http.Request, _ none) (int, error) {
		return d.Coupons.ExpireCampaign(r.Context(), r.PathValue("campaign"))
	}))
	mux.HandleFunc("POST /admin/customers/{customer}/revoke-sessions", endpoint(http.StatusOK, func(r *http.Request, _ none) (int, error) {
		return d.Portal.RevokeAll(r.Context(), r.PathValue("customer"))
	}))
	mux.HandleFunc("GET /admin/customers/{customer}/dunning", endpoint(http.StatusOK, func(r *http.Request, _ none) (dunning.State, error) {
		return d.Dunning.Current(r.Context(), r.PathValue("customer"))
	}))
	return mux
}

func (d Deps) recordUsage(w http.ResponseWriter, r *http.Request) {
	ev, err := decode[usage.Event](r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	planID, err := d.PlanOf(r.Context(), ev.CustomerID)
	if err != nil {
		fail(w, err)
		return
	}
	dec, err := d.Quota.Check(r.Context(), ev.CustomerID, planID, ev.Metric, ev.Quantity)
	if err != nil {
		fail(w, err)
		return
	}
	if !dec.Allowed {
		writeJSON(w, http.StatusPaymentRequired, dec)
		return
	}
	total, err := d.Usage.Record(r.Context(), ev)
	if err != nil {
		fail(w, err)
		return
	}
	if dec.Overage > 0 {
		if err := d.Quota.RecordOverage(r.Context(), ev.CustomerID, ev.Metric, min(dec.Overage, ev.Quantity)); err != nil {
			d.Log.Warn("overage log", "err", err)
		}
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"total": total, "quota": dec})
}

func setSessionCookie(w http.ResponseWriter, s portal.Session) {
	http.SetCookie(w, &http.Cookie{Name: "portal_session", Value: s.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func (d Deps) consumeMagic(w http.ResponseWriter, r *http.Request) {
	sess, err := d.Portal.ConsumeMagicLink(r.Context(), r.PathValue("token"))
	if err != nil {
		fail(w, err)
		return
	}
	setSessionCookie(w, sess)
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
}

func (d Deps) passwordLogin(w http.ResponseWriter, r *http.Request) {
	req, err := decode[struct{ Email, Password string }](r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sess, err := d.Portal.LoginWithPassword(r.Context(), req.Email, req.Password)
	if err != nil {
		fail(w, err)
		return
	}
	setSessionCookie(w, sess)
	w.WriteHeader(http.StatusNoContent)
}

func (d Deps) beginSSO(w http.ResponseWriter, r *http.Request) {
	state, err := d.Portal.BeginSSO(r.Context(), r.URL.Query().Get("return_to"))
	if err != nil {
		fail(w, err)
		return
	}
	http.Redirect(w, r, "https://sso.example.com/authorize?state="+state, http.StatusFound)
}

func (d Deps) completeSSO(w http.ResponseWriter, r *http.Request) {
	// The IdP front proxy has already verified the assertion and passes
	// the identity in trusted headers.
	sess, returnTo, err := d.Portal.CompleteSSO(r.Context(), r.URL.Query().Get("state"), r.Header.Get("X-Customer-ID"), r.Header.Get("X-Email"))
	if err != nil {
		fail(w, err)
		return
	}
	setSessionCookie(w, sess)
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

func (d Deps) logout(w http.ResponseWriter, r *http.Request) {
	if err := d.Portal.Logout(r.Context(), session(r).ID); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "portal_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}
