package holds

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/boxoffice/crossbill/internal/kitmw"
)

func bearer(ctx context.Context, r *http.Request) context.Context {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	ctx = kitmw.WithToken(ctx, tok)
	return kitmw.WithIdempotencyKey(ctx, r.Header.Get("Idempotency-Key"))
}

func decodeJSON[T any](_ context.Context, r *http.Request) (any, error) {
	var req T
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16)).Decode(&req); err != nil {
		return nil, err
	}
	return req, nil
}

func encodeError(_ context.Context, err error, w http.ResponseWriter) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrSeatTaken):
		code = http.StatusConflict
	case errors.Is(err, kitmw.ErrUnauthorized):
		code = http.StatusUnauthorized
	case errors.Is(err, kitmw.ErrQuota):
		code = http.StatusTooManyRequests
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// Routes mounts the holds transport on mux.
func Routes(mux *http.ServeMux, e Endpoints) {
	opts := []kithttp.ServerOption{
		kithttp.ServerBefore(bearer),
		kithttp.ServerErrorEncoder(encodeError),
	}
	mux.Handle("POST /v1/holds", kithttp.NewServer(e.HoldSeats, decodeJSON[HoldSeatsRequest], kithttp.EncodeJSONResponse, opts...))
	mux.Handle("POST /v1/holds/extend", kithttp.NewServer(e.Extend, decodeJSON[ExtendHoldRequest], kithttp.EncodeJSONResponse, opts...))
	mux.Handle("POST /v1/holds/release", kithttp.NewServer(e.Release, decodeJSON[ReleaseRequest], kithttp.EncodeJSONResponse, opts...))
	mux.Handle("POST /v1/waitlist", kithttp.NewServer(e.Waitlist, decodeJSON[WaitlistRequest], kithttp.EncodeJSONResponse, opts...))
	mux.Handle("POST /v1/reserve", kithttp.NewServer(e.Reserve, decodeJSON[HoldSeatsRequest], kithttp.EncodeJSONResponse, opts...))
}
