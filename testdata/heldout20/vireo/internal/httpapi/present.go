// Package httpapi exposes the platform over HTTP.
package httpapi

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"

	"example.com/vireo/internal/domain"
)

// envelope is the JSON shape of every response.
type envelope struct {
	Data  any        `json:"data,omitempty"`
	Error *errorBody `json:"error,omitempty"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(envelope{Data: v}); err != nil {
		log.Printf("httpapi: encode: %v", err)
	}
}

func writeError(w http.ResponseWriter, err error) {
	var apiErr *domain.APIError
	if !errors.As(err, &apiErr) {
		apiErr = domain.Problem(err)
	}
	if apiErr.Status >= 500 {
		log.Printf("httpapi: %v", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(apiErr.Status)
	_ = json.NewEncoder(w).Encode(envelope{Error: &errorBody{Code: apiErr.Code, Message: apiErr.Msg}})
}

func decode[T any](r *http.Request) (T, error) {
	var v T
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, &domain.APIError{Status: http.StatusBadRequest, Code: "bad_json", Msg: "request body is not valid", Err: err}
	}
	return v, nil
}
