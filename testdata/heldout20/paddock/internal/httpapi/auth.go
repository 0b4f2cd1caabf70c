package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/deviceauth"
	"example.com/paddock/internal/session"
)

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	Platform string `json:"platform"`
}

type loginStat struct {
	Platform string    `json:"platform"`
	At       time.Time `json:"at"`
}

type smsRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code,omitempty"`
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}

func (s *Server) login(r *http.Request, req loginRequest) (session.Session, error) {
	ctx, ip := r.Context(), clientIP(r)
	if err := s.Guard.Check(ctx, req.Login, ip); err != nil {
		return session.Session{}, err
	}
	playerID, err := s.Auth.Verify(ctx, req.Login, req.Password)
	if errors.Is(err, apperr.ErrUnauthorized) {
		return session.Session{}, errors.Join(err, s.Guard.Failed(ctx, req.Login, ip))
	}
	if err != nil {
		return session.Session{}, err
	}
	if until := s.Bans.BannedUntil(ctx, playerID); s.Clock().Before(until) {
		return session.Session{}, apperr.New(http.StatusForbidden, "banned", "this account is banned until "+until.Format(time.RFC1123))
	}
	if err := s.Guard.Succeeded(ctx, req.Login); err != nil {
		return session.Session{}, err
	}
	sess, err := s.Sessions.Create(ctx, playerID, req.Platform)
	if err != nil {
		return session.Session{}, err
	}
	stat, _ := json.Marshal(loginStat{Platform: req.Platform, At: s.Clock().UTC()})
	_, err = s.Edge.Client.KV.Namespaces.Values.Update(ctx, s.Edge.ID, "stats:last-login", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(s.Edge.AccountID),
		Value:     cloudflare.F(string(stat)),
	})
	return sess, err
}

// deviceToken is the polling endpoint (RFC 8628 section 3.4); its errors use
// the OAuth error body rather than the API envelope.
func (s *Server) deviceToken(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" {
		fail(w, r, apperr.New(http.StatusBadRequest, "unsupported_grant_type", "only the device code grant is supported"))
		return
	}
	sess, err := s.Device.Poll(r.Context(), r.PostFormValue("client_id"), r.PostFormValue("device_code"))
	body := map[string]any{}
	var apiErr *apperr.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest:
		w.WriteHeader(http.StatusBadRequest)
		body["error"], body["error_description"] = apiErr.Code, apiErr.Msg
	case err != nil:
		fail(w, r, err)
		return
	default:
		body["access_token"], body["token_type"] = sess.ID, "Bearer"
		body["expires_in"] = int(time.Until(sess.ExpiresAt).Seconds())
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) authRoutes(mux *http.ServeMux) {
	me := func(r *http.Request) string { return sessionFrom(r.Context()).PlayerID }
	sid := func(r *http.Request) string { return sessionFrom(r.Context()).ID }

	mux.HandleFunc("POST /v1/login", withBody(http.StatusCreated, s.login))
	mux.HandleFunc("POST /v1/logout", s.authed(serve(http.StatusNoContent, func(r *http.Request) (none, error) {
		return none{}, s.Sessions.Logout(r.Context(), sid(r))
	})))
	mux.HandleFunc("POST /v1/characters/{id}/select", s.authed(serve(http.StatusOK, func(r *http.Request) (session.Session, error) {
		return s.Sessions.SelectCharacter(r.Context(), sid(r), r.PathValue("id"))
	})))

	mux.HandleFunc("POST /oauth/device/code", serve(http.StatusOK, func(r *http.Request) (deviceauth.Authorization, error) {
		if r.PostFormValue("client_id") == "" {
			return deviceauth.Authorization{}, apperr.New(http.StatusBadRequest, "invalid_client", "client_id is required")
		}
		return s.Device.Start(r.Context(), r.PostFormValue("client_id"), r.PostFormValue("scope"))
	}))
	mux.HandleFunc("POST /oauth/token", s.deviceToken)
	mux.HandleFunc("POST /v1/device/{code}/approve", s.authed(withBody(http.StatusNoContent,
		func(r *http.Request, in struct{ Allow bool }) (none, error) {
			return none{}, s.Device.Approve(r.Context(), r.PathValue("code"), me(r), in.Allow)
		})))

	mux.HandleFunc("POST /v1/sms/send", withBody(http.StatusAccepted, func(r *http.Request, in smsRequest) (none, error) {
		return none{}, s.SMS.Send(r.Context(), in.Phone)
	}))
	mux.HandleFunc("POST /v1/sms/verify", withBody(http.StatusOK, func(r *http.Request, in smsRequest) (bool, error) {
		return true, s.SMS.Verify(r.Context(), in.Phone, in.Code)
	}))
}
