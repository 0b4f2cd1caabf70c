package orders

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"example.com/estuary/internal/endpoint"
	"example.com/estuary/internal/ids"
)

// request is what the decoders extract; the router sets the "account" and
// "order" path values before they run.
type request struct {
	account     ids.AccountID
	id          ids.OrderID
	to          Status
	cursor      string
	amountCents int64
}

// Response is the JSON form of an order.
type Response struct {
	ID          string    `json:"id"`
	Account     string    `json:"account"`
	Status      string    `json:"status"`
	AmountCents int64     `json:"amountCents"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

func respond(o *Order, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return Response{ID: o.ID.String(), Account: o.Account.String(), Status: o.Status.String(),
		AmountCents: o.AmountCents, Created: o.Created, Updated: o.Updated}, nil
}

func MakeCreateEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		r := req.(request)
		return respond(s.Create(ctx, r.account, r.amountCents))
	}
}

func MakeGetEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		r := req.(request)
		return respond(s.Get(ctx, r.account, r.id))
	}
}

// MakeTransitionEndpoint holds the order for the duration of a payment.
func MakeTransitionEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		r := req.(request)
		if r.to == Paid {
			release, err := s.Hold(ctx, r.account, r.id)
			if err != nil {
				return nil, err
			}
			defer release()
		}
		return respond(s.Transition(ctx, r.account, r.id, r.to))
	}
}

func MakePageEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		r := req.(request)
		items, cursor, err := s.Page(ctx, r.account, r.cursor)
		return map[string]any{"orders": items, "cursor": cursor}, err
	}
}

func DecodeCreate(_ context.Context, r *http.Request) (any, error) {
	var body struct{ AmountCents int64 }
	err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 4<<10)).Decode(&body)
	return request{account: ids.AccountID(r.PathValue("account")), amountCents: body.AmountCents}, err
}

func DecodeOrder(_ context.Context, r *http.Request) (any, error) {
	id, err := ids.ParseOrderID(r.PathValue("order"))
	return request{account: ids.AccountID(r.PathValue("account")), id: id}, err
}

func DecodeTransition(ctx context.Context, r *http.Request) (any, error) {
	v, err := DecodeOrder(ctx, r)
	if err != nil {
		return nil, err
	}
	req := v.(request)
	req.to, err = ParseStatus(r.URL.Query().Get("to"))
	return req, err
}

func DecodePage(_ context.Context, r *http.Request) (any, error) {
	return request{account: ids.AccountID(r.PathValue("account")), cursor: r.URL.Query().Get("cursor")}, nil
}
