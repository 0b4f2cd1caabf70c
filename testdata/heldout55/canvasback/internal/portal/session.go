//go:build js && wasm

// Package portal implements patient portal sessions at the edge.
package portal

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/canvasback/telehealth/internal/codec"
	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/edgekv"
	"github.com/canvasback/telehealth/internal/httpx"
	"github.com/canvasback/telehealth/internal/keys"
	"github.com/canvasback/telehealth/internal/verify"
)

// Store is the SESSIONS binding; main sets it on the first request.
var Store *edgekv.Namespace

// SessionTTL is the portal session lifetime; main overrides it from the
// SESSION_TTL environment variable when present.
var SessionTTL = 30 * time.Minute

var errNoSession = httpx.Error(http.StatusUnauthorized, "session expired")

// Session is what the portal keeps per signed-in device.
type Session struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	ClinicID  string    `json:"clinic_id"`
	Phone     string    `json:"phone"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

func sessionKey(patientID, sid string) string { return "sess:" + patientID + ":" + sid }

// SessionRef identifies a session from the cookie; the cookie value is
// "<patient>.<sid>".
type SessionRef struct {
	PatientID string `json:"-"`
	SID       string `json:"-"`
}

func (s *SessionRef) Bind(r *http.Request) error {
	patient, sid, ok := strings.Cut(httpx.SessionID(r), ".")
	if !ok || patient == "" || sid == "" {
		return errNoSession
	}
	s.PatientID, s.SID = patient, sid
	return nil
}

// Load returns the session for ref.
func Load(ctx context.Context, ref SessionRef) (*Session, error) {
	raw, ok, err := Store.Lookup(sessionKey(ref.PatientID, ref.SID))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSession
	}
	var s Session
	if err := codec.ByName("json").Decode(raw, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

type LoginReq struct {
	PatientID string `json:"patient_id"`
	ClinicID  string `json:"clinic_id"`
	Phone     string `json:"phone"`
	Code      string `json:"code"`
}

type LoginResp struct {
	Token     string    `json:"token"`
	CSRF      string    `json:"csrf,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Login redeems an SMS code and opens a session.
func Login(ctx context.Context, req LoginReq) (LoginResp, error) {
	if err := verify.Redeem(ctx, verify.RedeemReq{Phone: req.Phone, Code: req.Code}); err != nil {
		return LoginResp{}, err
	}
	cfg := config.Current()
	now := time.Now().UTC()
	s := Session{
		ID:        keys.NewID(),
		PatientID: req.PatientID,
		ClinicID:  req.ClinicID,
		Phone:     req.Phone,
		CreatedAt: now,
		LastSeen:  now,
	}
	raw, err := codec.ByName("json").Encode(s)
	if err != nil {
		return LoginResp{}, err
	}
	if err := Store.PutTTL(sessionKey(s.PatientID, s.ID), raw, SessionTTL); err != nil {
		return LoginResp{}, err
	}
	resp := LoginResp{Token: s.PatientID + "." + s.ID, ExpiresAt: now.Add(SessionTTL)}
	if cfg.Features.CSRFTokens {
		resp.CSRF = keys.NewID()
		if err := Store.PutTTL("csrf:"+s.ID, resp.CSRF, SessionTTL); err != nil { // DEBATABLE kvsession
			return LoginResp{}, err
		}
	}
	httpx.Go(ctx, "last-login", func(context.Context) {
		_ = Store.PutString("portal:last-login", now.Format(time.RFC3339), nil) // EXPECT kvhotkey
	})
	return resp, nil
}

type TouchResp struct {
	ExpiresAt time.Time `json:"expires_at"`
}

// Touch keeps an active session alive while the patient is using the portal.
func Touch(ctx context.Context, ref SessionRef) (TouchResp, error) {
	cfg := config.Current()
	s, err := Load(ctx, ref)
	if err != nil {
		return TouchResp{}, err
	}
	if !cfg.Sessions.Sliding {
		return TouchResp{ExpiresAt: s.CreatedAt.Add(SessionTTL)}, nil
	}
	s.LastSeen = time.Now().UTC()
	raw, err := codec.JSON{}.Encode(s)
	if err != nil {
		return TouchResp{}, err
	}
	err = Store.PutString(sessionKey(ref.PatientID, ref.SID), raw, &edgekv.PutOptions{ExpirationTTL: int(SessionTTL.Seconds())}) // EXPECT kvsession|kvrace
	return TouchResp{ExpiresAt: s.LastSeen.Add(SessionTTL)}, err
}

type SwitchClinicReq struct {
	SessionRef
	ClinicID string `json:"clinic_id"`
}

// SwitchClinic moves the session to another clinic the patient belongs to.
func SwitchClinic(ctx context.Context, req SwitchClinicReq) (httpx.Empty, error) {
	s, err := Load(ctx, req.SessionRef)
	if err != nil {
		return httpx.Empty{}, err
	}
	if req.ClinicID == "" || req.ClinicID == s.ClinicID {
		return httpx.Empty{}, nil
	}
	s.ClinicID = req.ClinicID
	raw, err := codec.JSON{}.Encode(s)
	if err != nil {
		return httpx.Empty{}, err
	}
	remaining := time.Until(s.CreatedAt.Add(SessionTTL))
	return httpx.Empty{}, Store.PutCache(sessionKey(s.PatientID, s.ID), raw, remaining) // EXPECT kvsession|kvrace
}

// Logout ends the current session.
func Logout(ctx context.Context, ref SessionRef) (httpx.Empty, error) {
	if err := Store.Forget(sessionKey(ref.PatientID, ref.SID)); err != nil { // EXPECT kvsession
		return httpx.Empty{}, err
	}
	httpx.Go(ctx, "csrf-cleanup", func(context.Context) {
		_ = Store.Delete("csrf:" + ref.SID) // DEBATABLE kvsession
	})
	return httpx.Empty{}, nil
}

type RevokeResp struct {
	Revoked int `json:"revoked"`
}

// RevokeAll signs the patient out everywhere, e.g. after a phone number change.
func RevokeAll(ctx context.Context, ref SessionRef) (RevokeResp, error) {
	res, err := Store.List(&edgekv.ListOpts{Prefix: "sess:" + ref.PatientID + ":"}) // EXPECT kvlist
	if err != nil {
		return RevokeResp{}, err
	}
	var errs []error
	n := 0
	for _, k := range res.Keys {
		if err := Store.Delete(k.Name); err != nil { // EXPECT kvsession
			errs = append(errs, err)
			continue
		}
		n++
	}
	return RevokeResp{Revoked: n}, errors.Join(errs...)
}
