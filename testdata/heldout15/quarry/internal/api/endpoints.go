package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/quarry/internal/accounts"
	"example.com/quarry/internal/endpoint"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/metrics"
	"example.com/quarry/internal/orders"
	"example.com/quarry/internal/storage"
)

type claimSlugRequest struct {
	Account ids.AccountID `json:"-"`
	Slug    string        `json:"slug"`
}

func decodeClaimSlug(r *http.Request, acct ids.AccountID) (any, error) {
	req := claimSlugRequest{Account: acct}
	return req, decodeBody(r, &req)
}

func makeClaimSlugEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(claimSlugRequest)
		err := s.Accounts.ClaimSlug(ctx, req.Slug, req.Account)
		switch {
		case errors.Is(err, accounts.ErrSlugTaken):
			return nil, endpoint.Conflict(err)
		case errors.Is(err, accounts.ErrInvalidSlug):
			return nil, endpoint.BadRequest("%v", err)
		}
		return map[string]string{"slug": req.Slug}, err
	}
}

type updateLimitsRequest struct {
	Account ids.AccountID
	Patch   accounts.LimitsPatch
}

func decodeUpdateLimits(r *http.Request, acct ids.AccountID) (any, error) {
	req := updateLimitsRequest{Account: acct}
	return req, decodeBody(r, &req.Patch)
}

func makeUpdateLimitsEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(updateLimitsRequest)
		l, err := s.Accounts.UpdateLimits(ctx, req.Account, req.Patch)
		if errors.Is(err, accounts.ErrUnknownPlan) {
			return nil, endpoint.BadRequest("%v", err)
		}
		if err != nil {
			return nil, err
		}
		_, err = s.Outbox.Append(ctx, "limits.updated", req.Account, l)
		return l, err
	}
}

type reportRequest struct {
	Account ids.AccountID
	Query   ids.QueryID
}

func decodeReport(r *http.Request, acct ids.AccountID) (any, error) {
	q := ids.QueryID(after(r, "reports"))
	if q == "" {
		return nil, endpoint.BadRequest("missing query id")
	}
	return reportRequest{Account: acct, Query: q}, nil
}

// metered spends quota before running next and records usage after.
func metered(s *Services, next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(reportRequest)
		d, err := s.Quota.Allow(ctx, req.Account, 1)
		if err != nil {
			return nil, err
		}
		if !d.Allowed {
			return nil, endpoint.TooMany
		}
		resp, err := next(ctx, req)
		if err != nil {
			return nil, err
		}
		return resp, s.Accounts.RecordUsage(ctx, req.Account, 1, true)
	}
}

func makeGetReportEndpoint(s *Services) endpoint.Endpoint {
	return metered(s, func(ctx context.Context, request any) (any, error) {
		req := request.(reportRequest)
		res, err := s.Reports.Get(ctx, req.Account, req.Query)
		if err != nil {
			return nil, err
		}
		return res, s.Views.Record(ctx, req.Query)
	})
}

func makePreviewEndpoint(s *Services) endpoint.Endpoint {
	return metered(s, func(ctx context.Context, request any) (any, error) {
		req := request.(reportRequest)
		return s.Reports.Preview(ctx, req.Account, req.Query)
	})
}

func makeDashboardEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(reportRequest)
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		return s.Reports.Pin(ctx, req.Account, req.Query)
	}
}

type scoreRequest struct {
	Query  ids.QueryID `json:"-"`
	Holder string      `json:"holder"`
	QPS    float64     `json:"qps"`
}

func decodeScore(_ context.Context, r *http.Request) (any, error) {
	req := scoreRequest{Query: ids.QueryID(after(r, "reports"))}
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if req.Holder == "" || req.QPS <= 0 {
		return nil, endpoint.BadRequest("holder and qps are required")
	}
	return req, nil
}

func makeSubmitScoreEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(scoreRequest)
		rank, err := s.Board.Submit(ctx, req.Query.String(), metrics.Entry{Key: req.Holder, Value: req.QPS})
		return map[string]int{"rank": rank}, err
	}
}

func decodeCartItem(ctx context.Context, r *http.Request) (any, error) {
	if _, ok := userFrom(ctx); !ok {
		return nil, &endpoint.StatusError{Code: http.StatusUnauthorized, Err: errors.New("sign in required")}
	}
	var it orders.Item
	return it, decodeBody(r, &it)
}

func makeAddToCartEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		user, _ := userFrom(ctx)
		cart, err := s.Orders.AddToCart(ctx, user, request.(orders.Item))
		if errors.Is(err, orders.ErrBadItem) {
			return nil, endpoint.BadRequest("%v", err)
		}
		return cart, err
	}
}

type placeOrderRequest struct {
	Account ids.AccountID `json:"-"`
	Items   []orders.Item `json:"items"`
}

func decodePlaceOrder(r *http.Request, acct ids.AccountID) (any, error) {
	req := placeOrderRequest{Account: acct}
	return req, decodeBody(r, &req)
}

func makePlaceOrderEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(placeOrderRequest)
		o, err := s.Orders.Place(ctx, req.Account, req.Items)
		if errors.Is(err, orders.ErrEmptyOrder) || errors.Is(err, orders.ErrBadItem) {
			return nil, endpoint.BadRequest("%v", err)
		}
		if err != nil {
			return nil, err
		}
		if _, err := s.Outbox.Append(ctx, "order.placed", o.Account, o); err != nil {
			return nil, err
		}
		if _, err := s.Runs.Record(ctx, "order-"+o.ID.String(), "placed", ""); err != nil {
			return nil, err
		}
		if view, err := json.Marshal(o); err == nil {
			s.Cache.Set("view/order/"+o.ID.String(), view, 24*time.Hour)
		}
		return o, nil
	}
}

type webhookRequest struct {
	Type    string          `json:"type"`
	Account ids.AccountID   `json:"account"`
	Plan    string          `json:"plan,omitempty"`
	Data    json.RawMessage `json:"data"`
}

func makeBillingWebhookEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(webhookRequest)
		if req.Type == "subscription.created" {
			if _, err := s.Accounts.EnsureLimits(ctx, req.Account, req.Plan); err != nil {
				return nil, err
			}
		}
		seq, err := s.Outbox.Append(ctx, "billing."+req.Type, req.Account, req.Data)
		if err != nil {
			return nil, err
		}
		seen, _ := json.Marshal(map[string]any{"type": req.Type, "seq": seq, "at": time.Now().UTC()})
		if err := s.store.Put(ctx, "webhooks/billing/last-received", seen, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return nil, err
		}
		return map[string]int64{"seq": seq}, nil
	}
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func makeRefreshEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		next, acct, err := s.Tokens.Rotate(ctx, request.(refreshRequest).RefreshToken)
		if err != nil {
			return nil, &endpoint.StatusError{Code: http.StatusUnauthorized, Err: err}
		}
		return map[string]string{"refresh_token": next, "account": acct.String()}, nil
	}
}

type bannerRequest struct {
	Text    string    `json:"text"`
	Expires time.Time `json:"expires"`
}

func makeBannerEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(bannerRequest)
		if time.Until(req.Expires) < time.Hour {
			return nil, endpoint.BadRequest("banner must run for at least an hour")
		}
		b, _ := json.Marshal(req)
		return req, s.store.Put(ctx, "status/banner", b, storage.PutOptions{ExpireAt: req.Expires}) // DEBATABLE kvhotkey
	}
}

func decodeArtifact(_ context.Context, r *http.Request) (any, error) {
	if a := after(r, "downloads"); a != "" {
		return a, nil
	}
	return nil, endpoint.BadRequest("missing artifact")
}

func makeDownloadEndpoint(s *Services) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		n, err := s.Downloads.Inc(ctx, request.(string))
		return map[string]uint64{"downloads": n}, err
	}
}
