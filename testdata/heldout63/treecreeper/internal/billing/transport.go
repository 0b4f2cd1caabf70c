package billing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/ledgerline/treecreeper/internal/kvedge"
)

// Endpoints bundles the billing endpoints after middleware is applied.
type Endpoints struct {
	CreateLink endpoint.Endpoint
	RenewLink  endpoint.Endpoint
	GetLink    endpoint.Endpoint
	ClaimSlug  endpoint.Endpoint
}

// NewEndpoints wraps each endpoint in auth, quota and idempotency.
func NewEndpoints(ns *kvedge.Namespace, src LinkSource, baseURL string, monthlyLinks int) Endpoints {
	auth := AuthMiddleware(ns)
	create := endpoint.Chain(
		InstrumentingMiddleware("create_link"),
		auth,
		tenantFill,
		IdempotencyMiddleware(ns),
		QuotaMiddleware(ns, monthlyLinks),
	)(MakeCreateLinkEndpoint(ns, baseURL))
	return Endpoints{
		CreateLink: create,
		RenewLink:  endpoint.Chain(InstrumentingMiddleware("renew_link"), auth, tenantFill)(MakeRenewLinkEndpoint(ns, src)),
		GetLink:    endpoint.Chain(InstrumentingMiddleware("get_link"), auth, tenantFill)(MakeGetLinkEndpoint(ns, src)),
		ClaimSlug:  endpoint.Chain(InstrumentingMiddleware("claim_slug"), auth, tenantFill)(MakeClaimSlugEndpoint(ns)),
	}
}

func bearer(ctx context.Context, r *http.Request) context.Context {
	ctx = WithAPIKey(ctx, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	return WithIdempotencyKey(ctx, r.Header.Get("Idempotency-Key"))
}

func decodeCreateLink(ctx context.Context, r *http.Request) (any, error) {
	var req CreateLinkRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeClaimSlug(_ context.Context, r *http.Request) (any, error) {
	var req ClaimSlugRequest
	err := json.NewDecoder(r.Body).Decode(&req)
	return req, err
}

func decodeGetLink(_ context.Context, r *http.Request) (any, error) {
	return GetLinkRequest{LinkID: r.PathValue("id")}, nil
}

func encodeJSON(_ context.Context, w http.ResponseWriter, response any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(response)
}

func encodeError(_ context.Context, err error, w http.ResponseWriter) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrUnauthorized):
		code = http.StatusUnauthorized
	case errors.Is(err, ErrQuotaExceeded):
		code = http.StatusTooManyRequests
	case errors.Is(err, ErrSlugTaken):
		code = http.StatusConflict
	}
	http.Error(w, err.Error(), code)
}

// tenantFill copies the tenant resolved by auth into the request struct.
// go-kit decodes before middleware runs, so the endpoint side does it.
func tenantFill(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		t := TenantFrom(ctx)
		switch req := request.(type) {
		case CreateLinkRequest:
			req.Tenant = t
			request = req
		case ClaimSlugRequest:
			req.Tenant = t
			request = req
		case GetLinkRequest:
			req.Tenant = t
			request = req
		}
		return next(ctx, request)
	}
}

// MountHTTP registers the billing routes on mux.
func MountHTTP(mux *http.ServeMux, eps Endpoints) {
	opts := []httptransport.ServerOption{
		httptransport.ServerBefore(bearer),
		httptransport.ServerErrorEncoder(encodeError),
	}
	mux.Handle("POST /v1/links", httptransport.NewServer(eps.CreateLink, decodeCreateLink, encodeJSON, opts...))
	mux.Handle("GET /v1/links/{id}", httptransport.NewServer(eps.GetLink, decodeGetLink, encodeJSON, opts...))
	mux.Handle("POST /v1/links/{id}/renew", httptransport.NewServer(eps.RenewLink, decodeGetLink, encodeJSON, opts...))
	mux.Handle("POST /v1/slugs", httptransport.NewServer(eps.ClaimSlug, decodeClaimSlug, encodeJSON, opts...))
}
