//go:build js && wasm

// Package worker is the courier-facing edge API.
package worker

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"

	"firecrest/internal/courier"
	"firecrest/internal/edgekv"
	"firecrest/internal/kvkeys"
)

var routes = map[string]http.HandlerFunc{
	"POST /v1/otp":           handleOTPRequest,
	"POST /v1/login":         handleLogin,
	"POST /v1/logout":        handleLogout,
	"POST /v1/device":        handleDeviceSwitch,
	"POST /v1/shift/start":   handleShiftStart,
	"POST /v1/shift/end":     handleShiftEnd,
	"GET /v1/order/status":   handleOrderStatus,
	"POST /v1/order/status":  handleOrderUpdate,
	"GET /v1/order/trail":    handleOrderTrail,
	"POST /v1/proof":         handleProofUpload,
	"GET /v1/proofs":         handleProofList,
	"GET /v1/proofs/order":   handleOrderProofs,
	"GET /v1/surge":          handleSurgeQuote,
	"POST /v1/surge/ping":    handleSurgePing,
	"GET /v1/zone/config":    handleZoneConfig,
	"GET /v1/dispatch/board": handleBoard,
}

// Handler dispatches on "METHOD /path".
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := routes[r.Method+" "+r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	})
}

func stores() (dispatch, auth, proofs *edgekv.Store, err error) {
	if dispatch, err = edgekv.Open(kvkeys.BindingDispatch); err != nil {
		return
	}
	if auth, err = edgekv.Open(kvkeys.BindingAuth); err != nil {
		return
	}
	proofs, err = edgekv.Open(kvkeys.BindingProofs)
	return
}

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	var nf *courier.NotFoundError
	var cf *courier.ConflictError
	switch {
	case errors.As(err, &nf):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.As(err, &cf):
		http.Error(w, cf.Error(), http.StatusConflict)
	default:
		log.Printf("worker: %v", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// authenticate resolves the bearer token to a login without touching it.
func authenticate(auth *edgekv.Store, r *http.Request) (*courier.Login, error) {
	tok := bearer(r)
	if tok == "" {
		return nil, &courier.NotFoundError{Key: "token"}
	}
	var l courier.Login
	if err := auth.GetJSON(kvkeys.LoginPrefix+tok, &l); err != nil {
		return nil, err
	}
	return &l, nil
}
