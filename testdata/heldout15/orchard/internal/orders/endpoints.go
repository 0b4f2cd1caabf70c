package orders

import (
	"context"
	"time"

	"example.com/orchard/internal/endpoint"
	"example.com/orchard/internal/ids"
)

type PlaceRequest struct {
	Account ids.AccountID `json:"account"`
	Lines   []Line        `json:"lines"`
	Pickup  time.Time     `json:"pickup"`
}

type GetRequest struct {
	ID ids.OrderID
}

type StatusRequest struct {
	ID     ids.OrderID `json:"-"`
	Status string      `json:"status"`
}

func MakePlaceEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		r := req.(PlaceRequest)
		o, err := s.Place(ctx, r.Account, r.Lines, r.Pickup)
		if err != nil {
			return nil, err
		}
		if err := s.Hold(ctx, o.ID); err != nil {
			return nil, err
		}
		return o, nil
	}
}

func MakeGetEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		return s.LoadView(ctx, req.(GetRequest).ID)
	}
}

func MakeStatusEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		r := req.(StatusRequest)
		return s.SetStatus(ctx, r.ID, r.Status)
	}
}
