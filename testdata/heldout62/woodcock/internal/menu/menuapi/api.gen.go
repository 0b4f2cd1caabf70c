// Package menuapi is the HTTP surface of the menu service (api/menu.yaml).
// The file follows oapi-codegen's strict-server output for net/http so that it
// can be regenerated without touching the implementation.
package menuapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/oapi-codegen/runtime"
)

// MenuItem defines model for MenuItem.
type MenuItem struct {
	Id         string   `json:"id"`
	Name       string   `json:"name"`
	PriceCents int      `json:"priceCents"`
	SoldOut    bool     `json:"soldOut"`
	Tags       []string `json:"tags,omitempty"`
}

// Menu defines model for Menu.
type Menu struct {
	RestaurantId string     `json:"restaurantId"`
	Locale       string     `json:"locale"`
	Items        []MenuItem `json:"items"`
	Version      int        `json:"version"`
}

// Availability defines model for Availability.
type Availability struct {
	Open        bool       `json:"open"`
	PausedUntil *time.Time `json:"pausedUntil,omitempty"`
	Reason      *string    `json:"reason,omitempty"`
}

// RestaurantSummary defines model for RestaurantSummary.
type RestaurantSummary struct {
	Id   string `json:"id"`
	City string `json:"city,omitempty"`
}

// MenuItemPatch defines model for MenuItemPatch.
type MenuItemPatch struct {
	PriceCents *int  `json:"priceCents,omitempty"`
	SoldOut    *bool `json:"soldOut,omitempty"`
}

// Error defines model for Error.
type Error struct {
	Message string `json:"message"`
}

// GetMenuParams defines parameters for GetMenu.
type GetMenuParams struct {
	Locale *string `form:"locale,omitempty" json:"locale,omitempty"`
}

// PutAvailabilityJSONRequestBody defines body for PutAvailability for application/json ContentType.
type PutAvailabilityJSONRequestBody = Availability

// PatchMenuItemJSONRequestBody defines body for PatchMenuItem for application/json ContentType.
type PatchMenuItemJSONRequestBody = MenuItemPatch

// ServerInterface represents all server handlers.
type ServerInterface interface {
	// (GET /restaurants/featured)
	ListFeatured(w http.ResponseWriter, r *http.Request)
	// (GET /restaurants/{restaurantId}/menu)
	GetMenu(w http.ResponseWriter, r *http.Request, restaurantId string, params GetMenuParams)
	// (GET /restaurants/{restaurantId}/availability)
	GetAvailability(w http.ResponseWriter, r *http.Request, restaurantId string)
	// (PUT /restaurants/{restaurantId}/availability)
	PutAvailability(w http.ResponseWriter, r *http.Request, restaurantId string)
	// (PATCH /restaurants/{restaurantId}/items/{itemId})
	PatchMenuItem(w http.ResponseWriter, r *http.Request, restaurantId string, itemId string)
}

// ServerInterfaceWrapper converts contexts to parameters.
type ServerInterfaceWrapper struct {
	Handler            ServerInterface
	HandlerMiddlewares []MiddlewareFunc
	ErrorHandlerFunc   func(w http.ResponseWriter, r *http.Request, err error)
}

type MiddlewareFunc func(http.Handler) http.Handler

// ListFeatured operation middleware
func (siw *ServerInterfaceWrapper) ListFeatured(w http.ResponseWriter, r *http.Request) {
	handler := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		siw.Handler.ListFeatured(w, r)
	}))
	for _, middleware := range siw.HandlerMiddlewares {
		handler = middleware(handler)
	}
	handler.ServeHTTP(w, r)
}

// GetMenu operation middleware
func (siw *ServerInterfaceWrapper) GetMenu(w http.ResponseWriter, r *http.Request) {
	var err error

	// ------------- Path parameter "restaurantId" -------------
	var restaurantId string
	err = runtime.BindStyledParameterWithOptions("simple", "restaurantId", r.PathValue("restaurantId"), &restaurantId, runtime.BindStyledParameterOptions{ParamLocation: runtime.ParamLocationPath, Explode: false, Required: true})
	if err != nil {
		siw.ErrorHandlerFunc(w, r, &InvalidParamFormatError{ParamName: "restaurantId", Err: err})
		return
	}

	var params GetMenuParams

	// ------------- Optional query parameter "locale" -------------
	err = runtime.BindQueryParameter("form", true, false, "locale", r.URL.Query(), &params.Locale)
	if err != nil {
		siw.ErrorHandlerFunc(w, r, &InvalidParamFormatError{ParamName: "locale", Err: err})
		return
	}

	handler := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		siw.Handler.GetMenu(w, r, restaurantId, params)
	}))
	for _, middleware := range siw.HandlerMiddlewares {
		handler = middleware(handler)
	}
	handler.ServeHTTP(w, r)
}

// GetAvailability operation middleware
func (siw *ServerInterfaceWrapper) GetAvailability(w http.ResponseWriter, r *http.Request) {
	var restaurantId string
	err := runtime.BindStyledParameterWithOptions("simple", "restaurantId", r.PathValue("restaurantId"), &restaurantId, runtime.BindStyledParameterOptions{ParamLocation: runtime.ParamLocationPath, Explode: false, Required: true})
	if err != nil {
		siw.ErrorHandlerFunc(w, r, &InvalidParamFormatError{ParamName: "restaurantId", Err: err})
		return
	}
	handler := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		siw.Handler.GetAvailability(w, r, restaurantId)
	}))
	for _, middleware := range siw.HandlerMiddlewares {
		handler = middleware(handler)
	}
	handler.ServeHTTP(w, r)
}

// PutAvailability operation middleware
func (siw *ServerInterfaceWrapper) PutAvailability(w http.ResponseWriter, r *http.Request) {
	var restaurantId string
	err := runtime.BindStyledParameterWithOptions("simple", "restaurantId", r.PathValue("restaurantId"), &restaurantId, runtime.BindStyledParameterOptions{ParamLocation: runtime.ParamLocationPath, Explode: false, Required: true})
	if err != nil {
		siw.ErrorHandlerFunc(w, r, &InvalidParamFormatError{ParamName: "restaurantId", Err: err})
		return
	}
	handler := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		siw.Handler.PutAvailability(w, r, restaurantId)
	}))
	for _, middleware := range siw.HandlerMiddlewares {
		handler = middleware(handler)
	}
	handler.ServeHTTP(w, r)
}

// PatchMenuItem operation middleware
func (siw *ServerInterfaceWrapper) PatchMenuItem(w http.ResponseWriter, r *http.Request) {
	var restaurantId string
	err := runtime.BindStyledParameterWithOptions("simple", "restaurantId", r.PathValue("restaurantId"), &restaurantId, runtime.BindStyledParameterOptions{ParamLocation: runtime.ParamLocationPath, Explode: false, Required: true})
	if err != nil {
		siw.ErrorHandlerFunc(w, r, &InvalidParamFormatError{ParamName: "restaurantId", Err: err})
		return
	}
	var itemId string
	err = runtime.BindStyledParameterWithOptions("simple", "itemId", r.PathValue("itemId"), &itemId, runtime.BindStyledParameterOptions{ParamLocation: runtime.ParamLocationPath, Explode: false, Required: true})
	if err != nil {
		siw.ErrorHandlerFunc(w, r, &InvalidParamFormatError{ParamName: "itemId", Err: err})
		return
	}
	handler := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		siw.Handler.PatchMenuItem(w, r, restaurantId, itemId)
	}))
	for _, middleware := range siw.HandlerMiddlewares {
		handler = middleware(handler)
	}
	handler.ServeHTTP(w, r)
}

type InvalidParamFormatError struct {
	ParamName string
	Err       error
}

func (e *InvalidParamFormatError) Error() string {
	return fmt.Sprintf("Invalid format for parameter %s: %s", e.ParamName, e.Err.Error())
}

func (e *InvalidParamFormatError) Unwrap() error { return e.Err }

// StdHTTPServerOptions configures HandlerWithOptions.
type StdHTTPServerOptions struct {
	BaseURL          string
	BaseRouter       *http.ServeMux
	Middlewares      []MiddlewareFunc
	ErrorHandlerFunc func(w http.ResponseWriter, r *http.Request, err error)
}

// HandlerWithOptions creates http.Handler with additional options
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

	wrapper := ServerInterfaceWrapper{
		Handler:            si,
		HandlerMiddlewares: options.Middlewares,
		ErrorHandlerFunc:   options.ErrorHandlerFunc,
	}

	m.HandleFunc("GET "+options.BaseURL+"/restaurants/featured", wrapper.ListFeatured)
	m.HandleFunc("GET "+options.BaseURL+"/restaurants/{restaurantId}/menu", wrapper.GetMenu)
	m.HandleFunc("GET "+options.BaseURL+"/restaurants/{restaurantId}/availability", wrapper.GetAvailability)
	m.HandleFunc("PUT "+options.BaseURL+"/restaurants/{restaurantId}/availability", wrapper.PutAvailability)
	m.HandleFunc("PATCH "+options.BaseURL+"/restaurants/{restaurantId}/items/{itemId}", wrapper.PatchMenuItem)

	return m
}

type ListFeaturedRequestObject struct{}

type ListFeaturedResponseObject interface {
	VisitListFeaturedResponse(w http.ResponseWriter) error
}

type ListFeatured200JSONResponse []RestaurantSummary

func (response ListFeatured200JSONResponse) VisitListFeaturedResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	return json.NewEncoder(w).Encode(response)
}

type GetMenuRequestObject struct {
	RestaurantId string `json:"restaurantId"`
	Params       GetMenuParams
}

type GetMenuResponseObject interface {
	VisitGetMenuResponse(w http.ResponseWriter) error
}

type GetMenu200JSONResponse Menu

func (response GetMenu200JSONResponse) VisitGetMenuResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	return json.NewEncoder(w).Encode(response)
}

type GetMenu404Response struct{}

func (response GetMenu404Response) VisitGetMenuResponse(w http.ResponseWriter) error {
	w.WriteHeader(404)
	return nil
}

type GetAvailabilityRequestObject struct {
	RestaurantId string `json:"restaurantId"`
}

type GetAvailabilityResponseObject interface {
	VisitGetAvailabilityResponse(w http.ResponseWriter) error
}

type GetAvailability200JSONResponse Availability

func (response GetAvailability200JSONResponse) VisitGetAvailabilityResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	return json.NewEncoder(w).Encode(response)
}

type GetAvailability404Response struct{}

func (response GetAvailability404Response) VisitGetAvailabilityResponse(w http.ResponseWriter) error {
	w.WriteHeader(404)
	return nil
}

type PutAvailabilityRequestObject struct {
	RestaurantId string `json:"restaurantId"`
	Body         *PutAvailabilityJSONRequestBody
}

type PutAvailabilityResponseObject interface {
	VisitPutAvailabilityResponse(w http.ResponseWriter) error
}

type PutAvailability204Response struct{}

func (response PutAvailability204Response) VisitPutAvailabilityResponse(w http.ResponseWriter) error {
	w.WriteHeader(204)
	return nil
}

type PutAvailability400JSONResponse Error

func (response PutAvailability400JSONResponse) VisitPutAvailabilityResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(400)
	return json.NewEncoder(w).Encode(response)
}

type PatchMenuItemRequestObject struct {
	RestaurantId string `json:"restaurantId"`
	ItemId       string `json:"itemId"`
	Body         *PatchMenuItemJSONRequestBody
}

type PatchMenuItemResponseObject interface {
	VisitPatchMenuItemResponse(w http.ResponseWriter) error
}

type PatchMenuItem200JSONResponse MenuItem

func (response PatchMenuItem200JSONResponse) VisitPatchMenuItemResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	return json.NewEncoder(w).Encode(response)
}

type PatchMenuItem404Response struct{}

func (response PatchMenuItem404Response) VisitPatchMenuItemResponse(w http.ResponseWriter) error {
	w.WriteHeader(404)
	return nil
}

// StrictServerInterface represents all server handlers.
type StrictServerInterface interface {
	// (GET /restaurants/featured)
	ListFeatured(ctx context.Context, request ListFeaturedRequestObject) (ListFeaturedResponseObject, error)
	// (GET /restaurants/{restaurantId}/menu)
	GetMenu(ctx context.Context, request GetMenuRequestObject) (GetMenuResponseObject, error)
	// (GET /restaurants/{restaurantId}/availability)
	GetAvailability(ctx context.Context, request GetAvailabilityRequestObject) (GetAvailabilityResponseObject, error)
	// (PUT /restaurants/{restaurantId}/availability)
	PutAvailability(ctx context.Context, request PutAvailabilityRequestObject) (PutAvailabilityResponseObject, error)
	// (PATCH /restaurants/{restaurantId}/items/{itemId})
	PatchMenuItem(ctx context.Context, request PatchMenuItemRequestObject) (PatchMenuItemResponseObject, error)
}

type StrictHandlerFunc func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (response interface{}, err error)
type StrictMiddlewareFunc func(f StrictHandlerFunc, operationID string) StrictHandlerFunc

type StrictHTTPServerOptions struct {
	RequestErrorHandlerFunc  func(w http.ResponseWriter, r *http.Request, err error)
	ResponseErrorHandlerFunc func(w http.ResponseWriter, r *http.Request, err error)
}

func NewStrictHandler(ssi StrictServerInterface, middlewares []StrictMiddlewareFunc) ServerInterface {
	return &strictHandler{ssi: ssi, middlewares: middlewares, options: StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, err.Error(), http.StatusBadRequest)
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		},
	}}
}

type strictHandler struct {
	ssi         StrictServerInterface
	middlewares []StrictMiddlewareFunc
	options     StrictHTTPServerOptions
}

// dispatch runs one operation through the strict middlewares and writes its response.
func (sh *strictHandler) dispatch(w http.ResponseWriter, r *http.Request, operationID string, request interface{}, handler StrictHandlerFunc, visit func(interface{}) (bool, error)) {
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

// ListFeatured operation middleware
func (sh *strictHandler) ListFeatured(w http.ResponseWriter, r *http.Request) {
	sh.dispatch(w, r, "ListFeatured", ListFeaturedRequestObject{}, func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
		return sh.ssi.ListFeatured(ctx, request.(ListFeaturedRequestObject))
	}, func(response interface{}) (bool, error) {
		v, ok := response.(ListFeaturedResponseObject)
		if !ok {
			return false, nil
		}
		return true, v.VisitListFeaturedResponse(w)
	})
}

// GetMenu operation middleware
func (sh *strictHandler) GetMenu(w http.ResponseWriter, r *http.Request, restaurantId string, params GetMenuParams) {
	request := GetMenuRequestObject{RestaurantId: restaurantId, Params: params}
	sh.dispatch(w, r, "GetMenu", request, func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
		return sh.ssi.GetMenu(ctx, request.(GetMenuRequestObject))
	}, func(response interface{}) (bool, error) {
		v, ok := response.(GetMenuResponseObject)
		if !ok {
			return false, nil
		}
		return true, v.VisitGetMenuResponse(w)
	})
}

// GetAvailability operation middleware
func (sh *strictHandler) GetAvailability(w http.ResponseWriter, r *http.Request, restaurantId string) {
	request := GetAvailabilityRequestObject{RestaurantId: restaurantId}
	sh.dispatch(w, r, "GetAvailability", request, func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
		return sh.ssi.GetAvailability(ctx, request.(GetAvailabilityRequestObject))
	}, func(response interface{}) (bool, error) {
		v, ok := response.(GetAvailabilityResponseObject)
		if !ok {
			return false, nil
		}
		return true, v.VisitGetAvailabilityResponse(w)
	})
}

// PutAvailability operation middleware
func (sh *strictHandler) PutAvailability(w http.ResponseWriter, r *http.Request, restaurantId string) {
	request := PutAvailabilityRequestObject{RestaurantId: restaurantId}
	var body PutAvailabilityJSONRequestBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		sh.options.RequestErrorHandlerFunc(w, r, fmt.Errorf("can't decode JSON body: %w", err))
		return
	}
	request.Body = &body
	sh.dispatch(w, r, "PutAvailability", request, func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
		return sh.ssi.PutAvailability(ctx, request.(PutAvailabilityRequestObject))
	}, func(response interface{}) (bool, error) {
		v, ok := response.(PutAvailabilityResponseObject)
		if !ok {
			return false, nil
		}
		return true, v.VisitPutAvailabilityResponse(w)
	})
}

// PatchMenuItem operation middleware
func (sh *strictHandler) PatchMenuItem(w http.ResponseWriter, r *http.Request, restaurantId string, itemId string) {
	request := PatchMenuItemRequestObject{RestaurantId: restaurantId, ItemId: itemId}
	var body PatchMenuItemJSONRequestBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		sh.options.RequestErrorHandlerFunc(w, r, fmt.Errorf("can't decode JSON body: %w", err))
		return
	}
	request.Body = &body
	sh.dispatch(w, r, "PatchMenuItem", request, func(ctx context.Context, w http.ResponseWriter, r *http.Request, request interface{}) (interface{}, error) {
		return sh.ssi.PatchMenuItem(ctx, request.(PatchMenuItemRequestObject))
	}, func(response interface{}) (bool, error) {
		v, ok := response.(PatchMenuItemResponseObject)
		if !ok {
			return false, nil
		}
		return true, v.VisitPatchMenuItemResponse(w)
	})
}
