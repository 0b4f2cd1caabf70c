package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	kithttp "github.com/go-kit/kit/transport/http"
)

const cookieName = "hoopoe_session"

func withCookie(ctx context.Context, r *http.Request) context.Context {
	if c, err := r.Cookie(cookieName); err == nil {
		ctx = context.WithValue(ctx, ctxCookie, c.Value)
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		ctx = context.WithValue(ctx, ctxIdempotencyKey, k)
	}
	if k := r.Header.Get("X-Api-Key"); k != "" {
		ctx = context.WithValue(ctx, ctxAPIKey, k)
	}
	return ctx
}

func decodeJSON[T any](_ context.Context, r *http.Request) (any, error) {
	var v T
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func decodeLogout(ctx context.Context, r *http.Request) (any, error) {
	id, _ := ctx.Value(ctxCookie).(string)
	return logoutRequest{SessionID: id}, nil
}

func encodeResponse(_ context.Context, w http.ResponseWriter, resp any) error {
	w.Header().Set("Content-Type", "application/json")
	if lr, ok := resp.(loginResponse); ok && lr.SessionID != "" {
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: lr.SessionID, HttpOnly: true, Secure: true, Path: "/"})
	}
	return json.NewEncoder(w).Encode(resp)
}

func encodeError(_ context.Context, err error, w http.ResponseWriter) {
	code := http.StatusInternalServerError
	if errors.Is(err, ErrUnauthorized) {
		code = http.StatusUnauthorized
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// RegisterHTTP mounts the account endpoints on mux.
func RegisterHTTP(mux *http.ServeMux, e Endpoints) {
	opts := []kithttp.ServerOption{kithttp.ServerBefore(withCookie), kithttp.ServerErrorEncoder(encodeError)}
	mux.Handle("POST /v1/login", kithttp.NewServer(e.Login, decodeJSON[loginRequest], encodeResponse, opts...))
	mux.Handle("POST /v1/logout", kithttp.NewServer(e.Logout, decodeLogout, encodeResponse, opts...))
	mux.Handle("POST /v1/password", kithttp.NewServer(e.ChangePassword, decodeJSON[changePasswordRequest], encodeResponse, opts...))
	mux.Handle("POST /v1/api-keys", kithttp.NewServer(e.CreateAPIKey, decodeJSON[apiKeyRequest], encodeResponse, opts...))
	mux.Handle("POST /v1/api-keys/rotate", kithttp.NewServer(e.RotateAPIKey, decodeJSON[apiKeyRequest], encodeResponse, opts...))
}
