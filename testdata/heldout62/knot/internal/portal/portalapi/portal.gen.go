// Package portalapi provides primitives to interact with the patient portal
// HTTP API (openapi/portal.yaml).
//
// The layout follows oapi-codegen's std-http strict server output. Keep it in
// step with the spec by hand until the generator config is back in the repo.
package portalapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/oapi-codegen/runtime"
)

// SessionCookie is the cookie that carries the portal session ID.
const SessionCookie = "portal_session"

// RequestMagicLinkJSONRequestBody defines body for RequestMagicLink for application/json ContentType.
type RequestMagicLinkJSONRequestBody struct {
	Email string `json:"email"`
}

// SessionView defines model for SessionView.
type SessionView struct {
	PatientId     string    `json:"patientId"`
	ActiveProfile string    `json:"activeProfile"`
	ExpiresAt     time.Time `json:"expiresAt"`
}

// Preferences defines model for Preferences.
type Preferences struct {
	Language          string    `json:"language"`
	SmsReminders      bool      `json:"smsReminders"`
	PreferredPharmacy string    `json:"preferredPharmacy,omitempty"`
	UpdatedAt         time.Time `json:"updatedAt"`
}

// UpdatePreferencesJSONRequestBody defines body for UpdatePreferences for application/json ContentType.
type UpdatePreferencesJSONRequestBody struct {
	Language          *string `json:"language,omitempty"`
	SmsReminders      *bool   `json:"smsReminders,omitempty"`
	PreferredPharmacy *string `json:"preferredPharmacy,omitempty"`
}

// LogoutParams defines parameters for Logout.
type LogoutParams struct {
	PortalSession string `form:"portal_session" json:"portal_session"`
}

// UpdatePreferencesParams defines parameters for UpdatePreferences.
type UpdatePreferencesParams struct {
	PortalSession string `form:"portal_session" json:"portal_session"`
}

// ServerInterface represents all server handlers.
type ServerInterface interface {
	// (POST /auth/magic-link)
	RequestMagicLink(w http.ResponseWriter, r *http.Request)
	// (POST /auth/magic-link/{token}/redeem)
	RedeemMagicLink(w http.ResponseWriter, r *http.Request, token string)
	// (POST /session/logout)
	Logout(w http.ResponseWriter, r *http.Request, params LogoutParams)
	// (PATCH /me/preferences)
	UpdatePreferences(w http.ResponseWriter, r *http.Request, params UpdatePreferencesParams)
}

// ServerInterfaceWrapper converts contexts to parameters.
type ServerInterfaceWrapper struct {
	Handler          ServerInterface
	ErrorHandlerFunc func(w http.ResponseWriter, r *http.Request, err error)
}

// RequestMagicLink operation middleware
func (siw *ServerInterfaceWrapper) RequestMagicLink(w http.ResponseWriter, r *http.Request) {
	siw.Handler.RequestMagicLink(w, r)
}

// RedeemMagicLink operation middleware
func (siw *ServerInterfaceWrapper) RedeemMagicLink(w http.ResponseWriter, r *http.Request) {
	// ------------- Path parameter "token" -------------
	var token string
	err := runtime.BindStyledParameterWithOptions("simple", "token", r.PathValue("token"), &token, runtime.BindStyledParameterOptions{ParamLocation: runtime.ParamLocationPath, Explode: false, Required: true, ValueIsUnescaped: true})
	if err != nil {
		siw.ErrorHandlerFunc(w, r, fmt.Errorf("invalid format for parameter token: %w", err))
		return
	}
	siw.Handler.RedeemMagicLink(w, r, token)
}

// Logout operation middleware
func (siw *ServerInterfaceWrapper) Logout(w http.ResponseWriter, r *http.Request) {
	var params LogoutParams
	if !siw.bindSessionCookie(w, r, &params.PortalSession) {
		return
	}
	siw.Handler.Logout(w, r, params)
}

// UpdatePreferences operation middleware
func (siw *ServerInterfaceWrapper) UpdatePreferences(w http.ResponseWriter, r *http.Request) {
	var params UpdatePreferencesParams
	if !siw.bindSessionCookie(w, r, &params.PortalSession) {
		return
	}
	siw.Handler.UpdatePreferences(w, r, params)
}

func (siw *ServerInterfaceWrapper) bindSessionCookie(w http.ResponseWriter, r *http.Request, dest *string) bool {
	cookie, err := r.Cookie(SessionCookie)
	if err != nil {
		siw.ErrorHandlerFunc(w, r, fmt.Errorf("cookie %s is required, but not found", SessionCookie))
		return false
	}
	err = runtime.BindStyledParameterWithOptions("simple", SessionCookie, cookie.Value, dest, runtime.BindStyledParameterOptions{ParamLocation: runtime.ParamLocationCookie, Explode: true, Required: true})
	if err != nil {
		siw.ErrorHandlerFunc(w, r, fmt.Errorf("invalid format for parameter %s: %w", SessionCookie, err))
		return false
	}
	return true
}

// StdHTTPServerOptions configures the router.
type StdHTTPServerOptions struct {
	BaseURL          string
	BaseRouter       *http.ServeMux
	ErrorHandlerFunc func(w http.ResponseWriter, r *http.Request, err error)
}

// HandlerWithOptions creates http.Handler with additional options.
func HandlerWithOptions(si ServerInterface, options StdHTTPServerOptions) http.Handler {
	m := options.BaseRouter
	if m == nil {
		m = http.NewServeMux()
	}
	if options.ErrorHandlerFunc == nil {
		options.ErrorHandlerFunc = func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}
	wrapper := ServerInterfaceWrapper{Handler: si, ErrorHandlerFunc: options.ErrorHandlerFunc}
	m.HandleFunc("POST "+options.BaseURL+"/auth/magic-link", wrapper.RequestMagicLink)
	m.HandleFunc("POST "+options.BaseURL+"/auth/magic-link/{token}/redeem", wrapper.RedeemMagicLink)
	m.HandleFunc("POST "+options.BaseURL+"/session/logout", wrapper.Logout)
	m.HandleFunc("PATCH "+options.BaseURL+"/me/preferences", wrapper.UpdatePreferences)
	return m
}

type RequestMagicLinkRequestObject struct {
	Body *RequestMagicLinkJSONRequestBody
}

type RequestMagicLinkResponseObject interface {
	VisitRequestMagicLinkResponse(w http.ResponseWriter) error
}

type RequestMagicLink202Response struct{}

func (response RequestMagicLink202Response) VisitRequestMagicLinkResponse(w http.ResponseWriter) error {
	w.WriteHeader(202)
	return nil
}

type RequestMagicLink429ResponseHeaders struct {
	RetryAfter int
}

type RequestMagicLink429Response struct {
	Headers RequestMagicLink429ResponseHeaders
}

func (response RequestMagicLink429Response) VisitRequestMagicLinkResponse(w http.ResponseWriter) error {
	w.Header().Set("Retry-After", fmt.Sprint(response.Headers.RetryAfter))
	w.WriteHeader(429)
	return nil
}

type RedeemMagicLinkRequestObject struct {
	Token string `json:"token"`
}

type RedeemMagicLinkResponseObject interface {
	VisitRedeemMagicLinkResponse(w http.ResponseWriter) error
}

type RedeemMagicLink200ResponseHeaders struct {
	SetCookie string
}

type RedeemMagicLink200JSONResponse struct {
	Body    SessionView
	Headers RedeemMagicLink200ResponseHeaders
}

func (response RedeemMagicLink200JSONResponse) VisitRedeemMagicLinkResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Set-Cookie", fmt.Sprint(response.Headers.SetCookie))
	w.WriteHeader(200)
	return json.NewEncoder(w).Encode(response.Body)
}

type RedeemMagicLink410Response struct{}

func (response RedeemMagicLink410Response) VisitRedeemMagicLinkResponse(w http.ResponseWriter) error {
	w.WriteHeader(410)
	return nil
}

type LogoutRequestObject struct {
	Params LogoutParams
}

type LogoutResponseObject interface {
	VisitLogoutResponse(w http.ResponseWriter) error
}

type Logout204Response struct{}

func (response Logout204Response) VisitLogoutResponse(w http.ResponseWriter) error {
	w.Header().Set("Set-Cookie", SessionCookie+"=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax")
	w.WriteHeader(204)
	return nil
}

type UpdatePreferencesRequestObject struct {
	Params UpdatePreferencesParams
	Body   *UpdatePreferencesJSONRequestBody
}

type UpdatePreferencesResponseObject interface {
	VisitUpdatePreferencesResponse(w http.ResponseWriter) error
}

type UpdatePreferences200JSONResponse Preferences

func (response UpdatePreferences200JSONResponse) VisitUpdatePreferencesResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	return json.NewEncoder(w).Encode(response)
}

type UpdatePreferences401Response struct{}

func (response UpdatePreferences401Response) VisitUpdatePreferencesResponse(w http.ResponseWriter) error {
	w.WriteHeader(401)
	return nil
}

// StrictServerInterface represents all server handlers.
type StrictServerInterface interface {
	// (POST /auth/magic-link)
	RequestMagicLink(ctx context.Context, request RequestMagicLinkRequestObject) (RequestMagicLinkResponseObject, error)
	// (POST /auth/magic-link/{token}/redeem)
	RedeemMagicLink(ctx context.Context, request RedeemMagicLinkRequestObject) (RedeemMagicLinkResponseObject, error)
	// (POST /session/logout)
	Logout(ctx context.Context, request LogoutRequestObject) (LogoutResponseObject, error)
	// (PATCH /me/preferences)
	UpdatePreferences(ctx context.Context, request UpdatePreferencesRequestObject) (UpdatePreferencesResponseObject, error)
}

type StrictHandlerFunc func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (response interface{}, err error)

type StrictMiddlewareFunc func(f StrictHandlerFunc, operationID string) StrictHandlerFunc

type StrictHTTPServerOptions struct {
	RequestErrorHandlerFunc  func(w http.ResponseWriter, r *http.Request, err error)
	ResponseErrorHandlerFunc func(w http.ResponseWriter, r *http.Request, err error)
}

func NewStrictHandlerWithOptions(ssi StrictServerInterface, middlewares []StrictMiddlewareFunc, options StrictHTTPServerOptions) ServerInterface {
	return &strictHandler{ssi: ssi, middlewares: middlewares, options: options}
}

type strictHandler struct {
	ssi         StrictServerInterface
	middlewares []StrictMiddlewareFunc
	options     StrictHTTPServerOptions
}

func (sh *strictHandler) handle(w http.ResponseWriter, r *http.Request, operationID string, request interface{}, handler StrictHandlerFunc, visit func(response interface{}) (bool, error)) {
	for _, middleware := range sh.middlewares {
		handler = middleware(handler, operationID)
	}
	response, err := handler(r.Context(), w, r, request)
	if err != nil {
		sh.options.ResponseErrorHandlerFunc(w, r, err)
		return
	}
	if ok, err := visit(response); err != nil {
		sh.options.ResponseErrorHandlerFunc(w, r, err)
	} else if !ok && response != nil {
		sh.options.ResponseErrorHandlerFunc(w, r, fmt.Errorf("unexpected response type: %T", response))
	}
}

// RequestMagicLink operation middleware
func (sh *strictHandler) RequestMagicLink(w http.ResponseWriter, r *http.Request) {
	var body RequestMagicLinkJSONRequestBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		sh.options.RequestErrorHandlerFunc(w, r, fmt.Errorf("can't decode JSON body: %w", err))
		return
	}
	sh.handle(w, r, "RequestMagicLink", RequestMagicLinkRequestObject{Body: &body},
		func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
			return sh.ssi.RequestMagicLink(ctx, request.(RequestMagicLinkRequestObject))
		},
		func(response interface{}) (bool, error) {
			v, ok := response.(RequestMagicLinkResponseObject)
			if !ok {
				return false, nil
			}
			return true, v.VisitRequestMagicLinkResponse(w)
		})
}

// RedeemMagicLink operation middleware
func (sh *strictHandler) RedeemMagicLink(w http.ResponseWriter, r *http.Request, token string) {
	sh.handle(w, r, "RedeemMagicLink", RedeemMagicLinkRequestObject{Token: token},
		func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
			return sh.ssi.RedeemMagicLink(ctx, request.(RedeemMagicLinkRequestObject))
		},
		func(response interface{}) (bool, error) {
			v, ok := response.(RedeemMagicLinkResponseObject)
			if !ok {
				return false, nil
			}
			return true, v.VisitRedeemMagicLinkResponse(w)
		})
}

// Logout operation middleware
func (sh *strictHandler) Logout(w http.ResponseWriter, r *http.Request, params LogoutParams) {
	sh.handle(w, r, "Logout", LogoutRequestObject{Params: params},
		func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
			return sh.ssi.Logout(ctx, request.(LogoutRequestObject))
		},
		func(response interface{}) (bool, error) {
			v, ok := response.(LogoutResponseObject)
			if !ok {
				return false, nil
			}
			return true, v.VisitLogoutResponse(w)
		})
}

// UpdatePreferences operation middleware
func (sh *strictHandler) UpdatePreferences(w http.ResponseWriter, r *http.Request, params UpdatePreferencesParams) {
	var body UpdatePreferencesJSONRequestBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		sh.options.RequestErrorHandlerFunc(w, r, fmt.Errorf("can't decode JSON body: %w", err))
		return
	}
	sh.handle(w, r, "UpdatePreferences", UpdatePreferencesRequestObject{Params: params, Body: &body},
		func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
			return sh.ssi.UpdatePreferences(ctx, request.(UpdatePreferencesRequestObject))
		},
		func(response interface{}) (bool, error) {
			v, ok := response.(UpdatePreferencesResponseObject)
			if !ok {
				return false, nil
			}
			return true, v.VisitUpdatePreferencesResponse(w)
		})
}
