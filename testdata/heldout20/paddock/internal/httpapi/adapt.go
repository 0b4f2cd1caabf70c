package httpapi

import (
	"net/http"
)

// serve adapts a call that returns one value.
func serve[T any](status int, fn func(r *http.Request) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			fail(w, r, err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, envelope{Data: v})
	}
}

// paged adapts a call that returns one page and the cursor of the next.
func paged[T any](fn func(r *http.Request, cursor string) ([]T, string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		items, next, err := fn(r, r.URL.Query().Get("cursor"))
		if err != nil {
			fail(w, r, err)
			return
		}
		page(w, items, next)
	}
}

// withBody decodes a JSON request body before calling fn.
func withBody[In, Out any](status int, fn func(r *http.Request, in In) (Out, error)) http.HandlerFunc {
	return serve(status, func(r *http.Request) (Out, error) {
		in, err := decode[In](r)
		if err != nil {
			var zero Out
			return zero, err
		}
		return fn(r, in)
	})
}

type none struct{}
