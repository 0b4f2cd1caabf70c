// Package httpx holds the HTTP plumbing shared by the domain packages:
// middleware, JSON helpers, merge patches and error mapping.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"

	"example.com/pipit/internal/store"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

type principalKey struct{}

// Principal is the signed-in caller.
type Principal struct {
	SessionID string
	GuestID   string
	StaffID   string
	Roles     []string
}

// WithPrincipal stores the caller in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller stored by the session middleware.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// NewID returns 16 random bytes, hex encoded.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Allower decides whether a caller may proceed.
type Allower interface {
	Allow(ctx context.Context, key string) (bool, error)
}

// Throttle rejects callers that the limiter refuses, keyed by client address.
func Throttle(lim Allower) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ok, err := lim.Allow(r.Context(), ClientIP(r)); err == nil && !ok {
				w.Header().Set("Retry-After", "60")
				http.Error(w, "too many requests", http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ClientIP returns the connecting address, preferring Cloudflare's header.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Decode reads a JSON body of at most 1 MiB into a T.
func Decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&v); err != nil {
		return v, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return v, nil
}

// JSON writes v with the given status.
func JSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// Sentinel errors the domain packages return to signal a status.
var (
	ErrUnauthorized = errors.New("sign in required")
	ErrForbidden    = errors.New("forbidden")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid request")
	ErrTooMany      = errors.New("too many attempts, try again later")
)

var statuses = []struct {
	err  error
	code int
}{
	{store.ErrNotFound, http.StatusNotFound},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden},
	{ErrConflict, http.StatusConflict},
	{ErrInvalid, http.StatusBadRequest},
	{ErrTooMany, http.StatusTooManyRequests},
}

// Status maps an error to an HTTP status.
func Status(err error) int {
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			return s.code
		}
	}
	return http.StatusInternalServerError
}

// E adapts a handler that returns an error.
func E(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			http.Error(w, err.Error(), Status(err))
		}
	}
}

// MergePatchType is the media type of RFC 7386 documents.
const MergePatchType = "application/merge-patch+json"

// ReadMergePatch reads a merge-patch body, insisting on its media type.
func ReadMergePatch(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != MergePatchType {
		return nil, fmt.Errorf("%w: content type must be %s", ErrInvalid, MergePatchType)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 256<<10))
	var patch map[string]any
	if err == nil {
		err = json.Unmarshal(b, &patch)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return patch, nil
}

// MergePatch applies patch to doc in place following RFC 7386: null removes a
// member, objects merge recursively, anything else replaces.
func MergePatch(doc, patch map[string]any) map[string]any {
	if doc == nil {
		doc = map[string]any{}
	}
	for k, pv := range patch {
		switch pm := pv.(type) {
		case nil:
			delete(doc, k)
		case map[string]any:
			dm, _ := doc[k].(map[string]any)
			doc[k] = MergePatch(dm, pm)
		default:
			doc[k] = pv
		}
	}
	return doc
}
