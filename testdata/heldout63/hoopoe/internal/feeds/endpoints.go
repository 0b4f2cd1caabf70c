package feeds

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"
)

type issueRequest struct {
	ShowID       string `json:"show_id"`
	SubscriberID string `json:"subscriber_id"`
	Tier         string `json:"tier"`
}

type revokeRequest struct {
	ShowID string `json:"show_id"`
	Token  string `json:"token"`
}

type slugRequest struct {
	ShowID string `json:"show_id"`
	Slug   string `json:"slug"`
}

type tokenResponse struct {
	Token string `json:"token,omitempty"`
	Err   string `json:"error,omitempty"`
}

func errText(err error) string {
	if err != nil {
		return err.Error()
	}
	return ""
}

// MakeHandler mounts the feed endpoints, each wrapped by mw (auth, quota).
func MakeHandler(mux *http.ServeMux, s *Service, mw endpoint.Middleware) {
	issue := func(ctx context.Context, request any) (any, error) {
		req := request.(issueRequest)
		tok, err := s.Issue(ctx, req.ShowID, req.SubscriberID, req.Tier)
		return tokenResponse{Token: tok, Err: errText(err)}, nil
	}
	regenerate := func(ctx context.Context, request any) (any, error) {
		req := request.(issueRequest)
		tok, err := s.Regenerate(ctx, req.ShowID, req.SubscriberID)
		return tokenResponse{Token: tok, Err: errText(err)}, nil
	}
	revoke := func(ctx context.Context, request any) (any, error) {
		req := request.(revokeRequest)
		return tokenResponse{Err: errText(s.Revoke(ctx, req.ShowID, req.Token))}, nil
	}
	claim := func(ctx context.Context, request any) (any, error) {
		req := request.(slugRequest)
		return tokenResponse{Err: errText(s.ClaimSlug(ctx, req.Slug, req.ShowID))}, nil
	}
	enc := func(_ context.Context, w http.ResponseWriter, resp any) error {
		w.Header().Set("Content-Type", "application/json")
		if r, ok := resp.(tokenResponse); ok && r.Err != "" {
			w.WriteHeader(http.StatusConflict)
		}
		return json.NewEncoder(w).Encode(resp)
	}
	mux.Handle("POST /v1/feeds/tokens", kithttp.NewServer(mw(issue), decode[issueRequest], enc))
	mux.Handle("POST /v1/feeds/tokens/regenerate", kithttp.NewServer(mw(regenerate), decode[issueRequest], enc))
	mux.Handle("POST /v1/feeds/tokens/revoke", kithttp.NewServer(mw(revoke), decode[revokeRequest], enc))
	mux.Handle("POST /v1/shows/slug", kithttp.NewServer(mw(claim), decode[slugRequest], enc))
}

func decode[T any](_ context.Context, r *http.Request) (any, error) {
	var v T
	err := json.NewDecoder(r.Body).Decode(&v)
	return v, err
}
