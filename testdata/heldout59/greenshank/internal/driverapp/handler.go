//go:build js && wasm

// Package driverapp serves the driver mobile app: SMS one-time-code login,
// sessions, refresh grants and vehicle assignment for a shift.
package driverapp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/fleetgrid/greenshank/internal/edgehttp"
	"github.com/fleetgrid/greenshank/internal/edgekv"
	"github.com/fleetgrid/greenshank/internal/fleet"
)

const (
	sessionTTL      = 12 * time.Hour
	refreshTTL      = 30 * 24 * time.Hour
	otpTTL          = 5 * time.Minute
	otpWindow       = 15 * time.Minute
	otpMaxAttempts  = 5
	touchEvery      = time.Minute
	minBuildKey     = "config:driverapp:min-build"
	bootstrapCacheS = 600
)

var errUnauthorized = edgehttp.Errorf(http.StatusUnauthorized, "unauthorized")

// Handler serves /v1/driver. Codes are sent by the SMS worker that consumes
// the SMS_OUTBOX queue.
type Handler struct {
	validate *validator.Validate
}

// New returns a Handler.
func New(v *validator.Validate) *Handler {
	return &Handler{validate: v}
}

// Register mounts the driver app routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /v1/driver/bootstrap", edgehttp.Func(h.handleBootstrap))
	mux.Handle("POST /v1/driver/otp", edgehttp.Func(h.handleRequestOTP))
	mux.Handle("POST /v1/driver/otp/verify", edgehttp.Func(h.handleVerifyOTP))
	mux.Handle("POST /v1/driver/refresh", edgehttp.Func(h.handleRefresh))
	mux.Handle("POST /v1/driver/vehicle", edgehttp.Func(h.handleAssignVehicle))
	mux.Handle("POST /v1/driver/logout", edgehttp.Func(h.handleLogout))
	mux.Handle("POST /v1/driver/sessions/revoke-all", edgehttp.Func(h.handleRevokeAll))
}

type otpRecord struct {
	Phone    string `json:"phone"`
	TenantID string `json:"tenant_id"`
	DriverID string `json:"driver_id"`
	CodeHash string `json:"code_hash"`
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// handleBootstrap tells an app build whether it must upgrade before login.
func (h *Handler) handleBootstrap(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	v, err := store.Namespace().GetString(minBuildKey, &kv.GetOptions{CacheTTL: bootstrapCacheS}) // EXPECT kvnull
	if err != nil {
		return err
	}
	minBuild, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("%s: %w", minBuildKey, err)
	}
	build, _ := strconv.Atoi(r.Header.Get("X-App-Build"))
	return edgehttp.JSON(w, http.StatusOK, map[string]any{"upgrade_required": build < minBuild, "min_build": minBuild})
}

func (h *Handler) handleRequestOTP(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	var req struct {
		Phone    string `json:"phone" validate:"required,e164"`
		TenantID string `json:"tenant_id" validate:"required,alphanum"`
		DriverID string `json:"driver_id" validate:"required"`
	}
	if err := edgehttp.Decode(r, h.validate, &req); err != nil {
		return err
	}

	attemptsKey := "sms:attempts:" + req.Phone
	cur, _, err := store.Get(attemptsKey)
	if err != nil {
		return err
	}
	attempts, _ := strconv.Atoi(cur)
	if attempts >= otpMaxAttempts {
		return edgehttp.Errorf(http.StatusTooManyRequests, "too many codes requested, try later")
	}
	if err := store.Put(attemptsKey, strconv.Itoa(attempts+1), otpWindow); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	challenge := fleet.NewID()
	rec := otpRecord{Phone: req.Phone, TenantID: req.TenantID, DriverID: req.DriverID, CodeHash: hashCode(code)}
	if err := store.PutJSON(fleet.OTPKey(challenge), rec, otpTTL); err != nil {
		return err
	}
	sms, err := queues.NewProducer("SMS_OUTBOX")
	if err != nil {
		return err
	}
	if err := sms.SendJSON(map[string]string{"to": req.Phone, "text": "Your FleetGrid code is " + code}); err != nil {
		return fmt.Errorf("sms to %s: %w", req.Phone, err)
	}
	return edgehttp.JSON(w, http.StatusAccepted, map[string]string{"challenge_id": challenge})
}

func (h *Handler) handleVerifyOTP(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	var req struct {
		ChallengeID string `json:"challenge_id" validate:"required,hexadecimal,len=32"`
		Code        string `json:"code" validate:"required,numeric,len=6"`
	}
	if err := edgehttp.Decode(r, h.validate, &req); err != nil {
		return err
	}
	ns := store.Namespace()
	raw, err := ns.GetString(fleet.OTPKey(req.ChallengeID), nil)
	if err != nil {
		return err
	}
	if raw == "" { // EXPECT kvnull
		return edgehttp.Errorf(http.StatusNotFound, "code expired")
	}
	var rec otpRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(hashCode(req.Code)), []byte(rec.CodeHash)) != 1 {
		return edgehttp.Errorf(http.StatusUnauthorized, "wrong code")
	}
	if err := ns.Delete(fleet.OTPKey(req.ChallengeID)); err != nil { // EXPECT kvsession
		return err
	}
	sess, refresh, err := h.startSession(store, rec.DriverID, rec.TenantID)
	if err != nil {
		return err
	}
	return edgehttp.JSON(w, http.StatusOK, map[string]string{"session": sess.ID, "refresh_token": refresh, "csrf": sess.CSRF})
}

// startSession creates a session with fresh random identifiers and its
// refresh grant.
func (h *Handler) startSession(store *edgekv.Store, driverID, tenantID string) (fleet.Session, string, error) {
	now := time.Now().UTC()
	sess := fleet.Session{ID: fleet.NewID(), DriverID: driverID, TenantID: tenantID, CSRF: fleet.NewID(), CreatedAt: now, LastSeen: now}
	if err := store.PutJSON(fleet.SessionKey(sess.ID), sess, sessionTTL); err != nil {
		return fleet.Session{}, "", err
	}
	if err := store.Put("csrf:"+sess.ID, sess.CSRF, sessionTTL); err != nil { // DEBATABLE kvsession
		return fleet.Session{}, "", err
	}
	refresh := fleet.NewID()
	grant := fleet.RefreshGrant{DriverID: driverID, TenantID: tenantID, IssuedAt: now, SessionID: sess.ID}
	if err := store.PutJSON(fleet.RefreshKey(refresh), grant, refreshTTL); err != nil {
		return fleet.Session{}, "", err
	}
	return sess, refresh, nil
}

// authenticate loads the bearer session, rejects it if the driver signed out
// everywhere after it was created, and slides its expiry.
func (h *Handler) authenticate(store *edgekv.Store, r *http.Request) (fleet.Session, error) {
	id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || id == "" {
		return fleet.Session{}, errUnauthorized
	}
	var sess fleet.Session
	if err := store.GetJSON(fleet.SessionKey(id), &sess); errors.Is(err, edgekv.ErrNotFound) {
		return fleet.Session{}, errUnauthorized
	} else if err != nil {
		return fleet.Session{}, err
	}
	if at, found, err := store.Get(fleet.RevokedKey(sess.DriverID)); err == nil && found {
		if t, perr := time.Parse(time.RFC3339Nano, at); perr == nil && sess.CreatedAt.Before(t) {
			return fleet.Session{}, errUnauthorized
		}
	}
	if time.Since(sess.LastSeen) > touchEvery {
		sess.LastSeen = time.Now().UTC()
		if err := store.PutJSON(fleet.SessionKey(id), sess, sessionTTL); err != nil { // EXPECT kvsession|kvrace
			log.Printf("driverapp: touch %s: %v", id, err)
		}
	}
	return sess, nil
}

func (h *Handler) handleRefresh(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	var req struct {
		RefreshToken string `json:"refresh_token" validate:"required,hexadecimal,len=32"`
	}
	if err := edgehttp.Decode(r, h.validate, &req); err != nil {
		return err
	}
	var grant fleet.RefreshGrant
	if err := store.GetJSON(fleet.RefreshKey(req.RefreshToken), &grant); errors.Is(err, edgekv.ErrNotFound) {
		return errUnauthorized
	} else if err != nil {
		return err
	}

	now := time.Now().UTC()
	sess := fleet.Session{ID: fleet.NewID(), DriverID: grant.DriverID, TenantID: grant.TenantID, CSRF: fleet.NewID(), CreatedAt: now, LastSeen: now}
	if err := store.PutJSON(fleet.SessionKey(sess.ID), sess, sessionTTL); err != nil {
		return err
	}
	next := fleet.NewID()
	b, _ := json.Marshal(fleet.RefreshGrant{DriverID: grant.DriverID, TenantID: grant.TenantID, IssuedAt: now, SessionID: sess.ID})
	ns := store.Namespace()
	err := ns.PutString(fleet.RefreshKey(next), string(b), &kv.PutOptions{
		ExpirationTTL: int(refreshTTL), // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	if err := ns.Delete(fleet.RefreshKey(req.RefreshToken)); err != nil { // EXPECT kvsession
		log.Printf("driverapp: retire refresh token: %v", err)
	}
	return edgehttp.JSON(w, http.StatusOK, map[string]string{"session": sess.ID, "refresh_token": next, "csrf": sess.CSRF})
}

// handleAssignVehicle binds the driver's session to the vehicle they are
// taking out for the shift. A vehicle has one driver at a time.
func (h *Handler) handleAssignVehicle(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	var req struct {
		VehicleID string `json:"vehicle_id" validate:"required,max=64"`
	}
	if err := edgehttp.Decode(r, h.validate, &req); err != nil {
		return err
	}
	sess, err := h.authenticate(store, r)
	if err != nil {
		return err
	}
	assignKey := "assign:vehicle:" + sess.TenantID + ":" + req.VehicleID
	holder, found, err := store.Get(assignKey)
	if err != nil {
		return err
	}
	if found && holder != sess.DriverID {
		return edgehttp.Errorf(http.StatusConflict, "vehicle is assigned to another driver")
	}
	if !found {
		if err := store.Put(assignKey, sess.DriverID, sessionTTL); err != nil { // EXPECT kvrace
			return err
		}
	}
	sess.VehicleID = req.VehicleID
	if err := store.PutJSON(fleet.SessionKey(sess.ID), sess, sessionTTL); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	return edgehttp.JSON(w, http.StatusOK, sess)
}

func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	sess, err := h.authenticate(store, r)
	if err != nil {
		return edgehttp.NoContent(w)
	}
	if err := store.Namespace().Delete(fleet.SessionKey(sess.ID)); err != nil { // EXPECT kvsession
		return err
	}
	if req.RefreshToken != "" {
		if err := store.Delete(fleet.RefreshKey(req.RefreshToken)); err != nil { // EXPECT kvsession
			log.Printf("driverapp: logout refresh: %v", err)
		}
	}
	return edgehttp.NoContent(w)
}

// handleRevokeAll signs the driver out on every device, e.g. after a lost
// phone. Sessions created before the stored instant are refused.
func (h *Handler) handleRevokeAll(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	sess, err := h.authenticate(store, r)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if err := store.Put(fleet.RevokedKey(sess.DriverID), now, refreshTTL); err != nil { // EXPECT kvsession
		return err
	}
	return edgehttp.NoContent(w)
}
