package accounts

import (
	"context"
	"errors"

	"github.com/go-kit/kit/endpoint"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	SessionID string `json:"session_id,omitempty"`
	Err       string `json:"error,omitempty"`
}

type logoutRequest struct{ SessionID string }

type changePasswordRequest struct {
	NewPassword string `json:"new_password"`
}

type apiKeyRequest struct {
	Label     string `json:"label"`
	OldSecret string `json:"old_secret,omitempty"`
}

type apiKeyResponse struct {
	Secret string `json:"secret,omitempty"`
	Err    string `json:"error,omitempty"`
}

type emptyResponse struct {
	Err string `json:"error,omitempty"`
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Endpoints collects the account endpoints.
type Endpoints struct {
	Login          endpoint.Endpoint
	Logout         endpoint.Endpoint
	ChangePassword endpoint.Endpoint
	CreateAPIKey   endpoint.Endpoint
	RotateAPIKey   endpoint.Endpoint
}

// MakeEndpoints builds the endpoints; the ones behind a session are wrapped by auth.
func MakeEndpoints(s *Service, idem *Idempotency) Endpoints {
	auth := SessionAuth(s)
	return Endpoints{
		Login:          makeLoginEndpoint(s),
		Logout:         makeLogoutEndpoint(s),
		ChangePassword: auth(makeChangePasswordEndpoint(s)),
		CreateAPIKey:   endpoint.Chain(auth, idem.Middleware("apikey.create"))(makeCreateAPIKeyEndpoint(s)),
		RotateAPIKey:   auth(makeRotateAPIKeyEndpoint(s)),
	}
}

func makeLoginEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(loginRequest)
		sess, err := s.Login(ctx, req.Email, req.Password)
		if errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrLockedOut) {
			return loginResponse{Err: err.Error()}, nil
		}
		if err != nil {
			return nil, err
		}
		return loginResponse{SessionID: sess.ID}, nil
	}
}

func makeLogoutEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(logoutRequest)
		return emptyResponse{Err: errString(s.Logout(ctx, req.SessionID))}, nil
	}
}

func makeChangePasswordEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(changePasswordRequest)
		sess, _ := SessionFrom(ctx)
		return emptyResponse{Err: errString(s.ChangePassword(ctx, sess.HostID, req.NewPassword))}, nil
	}
}

func makeCreateAPIKeyEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(apiKeyRequest)
		sess, _ := SessionFrom(ctx)
		secret, err := s.CreateAPIKey(ctx, sess.HostID, sess.Plan, req.Label)
		return apiKeyResponse{Secret: secret, Err: errString(err)}, nil
	}
}

func makeRotateAPIKeyEndpoint(s *Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(apiKeyRequest)
		sess, _ := SessionFrom(ctx)
		secret, err := s.RotateAPIKey(ctx, sess.HostID, req.OldSecret)
		return apiKeyResponse{Secret: secret, Err: errString(err)}, nil
	}
}
