// Package httpapi is the public HTTP API of paddock.
package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"

	"example.com/paddock/internal/apperr"
)

// envelope is the body of every JSON response.
type envelope struct {
	Data  any        `json:"data,omitempty"`
	Next  string     `json:"next,omitempty"`
	Error *errorBody `json:"error,omitempty"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v envelope) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("httpapi: encode response: %v", err)
	}
}

func page(w http.ResponseWriter, data any, next string) {
	writeJSON(w, http.StatusOK, envelope{Data: data, Next: next})
}

func fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code := apperr.Classify(err)
	body := &errorBody{Code: code, Message: http.StatusText(status)}
	var apiErr *apperr.APIError
	if errors.As(err, &apiErr) {
		body.Message = apiErr.Msg
	} else if status < 500 {
		body.Message = err.Error()
	}
	if status >= 500 {
		log.Printf("httpapi: %s %s: %v", r.Method, r.URL.Path, err)
	}
	writeJSON(w, status, envelope{Error: body})
}

func decode[T any](r *http.Request) (T, error) {
	var v T
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, apperr.Wrap(err, http.StatusBadRequest, "bad_json", "request body is not valid JSON")
	}
	return v, nil
}
