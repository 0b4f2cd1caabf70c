// Package platform holds cross-cutting pieces: clock and ID abstractions
// and the JSON endpoint adapter used by every HTTP surface.
package platform

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"
)

// Clock is injected wherever the current time matters so tests can pin it.
type Clock interface{ Now() time.Time }

type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// IDGen produces opaque, unguessable identifiers.
type IDGen interface{ NewID() string }

// RandomIDs returns 128-bit hex identifiers.
type RandomIDs struct{}

func (RandomIDs) NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Empty is the input type of endpoints without a body.
type Empty struct{}

// Endpoint adapts fn to an http.HandlerFunc: a JSON body is decoded into
// In, and fn's result is written back as JSON. Errors become 422s.
func Endpoint[In, Out any](fn func(r *http.Request, in In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if r.ContentLength != 0 {
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		out, err := fn(r, in)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}
}

// Do is Endpoint for handlers that only report success or failure.
func Do[In any](fn func(r *http.Request, in In) error) http.HandlerFunc {
	return Endpoint(func(r *http.Request, in In) (Empty, error) { return Empty{}, fn(r, in) })
}
