//go:build js && wasm

// Package slots places short holds on appointment slots while a patient
// finishes booking, so two patients are not shown the same open slot.
package slots

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/edgekv"
	"github.com/canvasback/telehealth/internal/httpx"
	"github.com/canvasback/telehealth/internal/keys"
)

// Store is the HOLDS binding; main sets it.
var Store *edgekv.Namespace

var errTaken = httpx.Error(http.StatusConflict, "slot is no longer available")

// Slot is an appointment slot as the scheduling API returns it.
type Slot struct {
	ID       string    `json:"id"`
	ClinicID string    `json:"clinic_id"`
	Start    time.Time `json:"start"`
}

func holdKey(cfg *config.Config, s Slot) string {
	return keys.Scheme(cfg.Sessions.Scheme).Key(s.ClinicID, "hold", s.ID)
}

type HoldReq struct {
	Slot      Slot   `json:"slot"`
	PatientID string `json:"patient_id"`
}

type HoldResp struct {
	HeldUntil time.Time `json:"held_until"`
}

// Hold reserves a slot for the patient.
func Hold(ctx context.Context, req HoldReq) (HoldResp, error) {
	cfg := config.Current()
	key := holdKey(cfg, req.Slot)
	holder, err := Store.GetString(key, nil)
	if err != nil {
		return HoldResp{}, err
	}
	if holder != edgekv.Null && holder != req.PatientID {
		return HoldResp{}, errTaken
	}
	now := time.Now()
	ttl := keys.HoldPolicy(cfg, req.Slot.Start).TTLSeconds(now)
	if err := Store.PutString(key, req.PatientID, &edgekv.PutOptions{ExpirationTTL: ttl}); err != nil { // EXPECT kvrace
		return HoldResp{}, err
	}
	return HoldResp{HeldUntil: now.Add(time.Duration(ttl) * time.Second)}, nil
}

// Extend keeps the hold until shortly before the appointment while the
// patient fills in intake forms.
func Extend(ctx context.Context, req HoldReq) (HoldResp, error) {
	cfg := config.Current()
	key := holdKey(cfg, req.Slot)
	if _, err := owned(key, req.PatientID); err != nil {
		return HoldResp{}, err
	}
	until := req.Slot.Start.Add(-cfg.Slots.Lead.Duration)
	ttl := time.Until(until)
	err := Store.PutString(key, req.PatientID, &edgekv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvttl
	return HoldResp{HeldUntil: until}, err
}

// Tentative marks a slot while the clinician confirms a telehealth add-on.
func Tentative(ctx context.Context, req HoldReq) (HoldResp, error) {
	key := holdKey(config.Current(), req.Slot) + ":tentative"
	err := Store.PutString(key, req.PatientID, &edgekv.PutOptions{Expiration: int(time.Now().Add(45 * time.Second).Unix())}) // EXPECT kvttl
	return HoldResp{HeldUntil: time.Now().Add(45 * time.Second)}, err
}

// Reconfirm refreshes a hold after the patient answers the insurance step.
// The hold never outlives the slot and keeps at least half the remaining time.
func Reconfirm(ctx context.Context, req HoldReq) (HoldResp, error) {
	cfg := config.Current()
	key := holdKey(cfg, req.Slot)
	if _, err := owned(key, req.PatientID); err != nil {
		return HoldResp{}, err
	}
	ttl := max(time.Until(req.Slot.Start)/2, 20*time.Second)
	err := Store.PutTTL(key, req.PatientID, ttl) // EXPECT kvttl
	return HoldResp{HeldUntil: time.Now().Add(ttl)}, err
}

// Release drops the patient's hold.
func Release(ctx context.Context, req HoldReq) (httpx.Empty, error) {
	key := holdKey(config.Current(), req.Slot)
	if _, err := owned(key, req.PatientID); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return httpx.Empty{}, nil
		}
		return httpx.Empty{}, err
	}
	return httpx.Empty{}, Store.Delete(key)
}

func owned(key, patientID string) (string, error) {
	holder, err := Store.MustLookup(key)
	if err != nil {
		return "", err
	}
	if holder != patientID {
		return "", errTaken
	}
	return holder, nil
}

type SeriesReq struct {
	PatientID string `json:"patient_id"`
	ClinicID  string `json:"clinic_id"`
	Slots     []Slot `json:"slots"`
}

type SeriesResp struct {
	Held   []string          `json:"held"`
	Failed map[string]string `json:"failed,omitempty"`
}

// HoldSeries reserves a run of weekly follow-up slots in one call.
func HoldSeries(ctx context.Context, req SeriesReq) (SeriesResp, error) {
	cfg := config.Current()
	resp := SeriesResp{Failed: map[string]string{}}
	results := make([]error, len(req.Slots))
	for i := range len(req.Slots) {
		s := req.Slots[i]
		s.ClinicID = req.ClinicID
		ttl := max(time.Until(s.Start.Add(-cfg.Slots.Lead.Duration)), time.Minute)
		results[i] = Store.PutTTL(holdKey(cfg, s), req.PatientID, ttl)
		if results[i] == nil {
			idx := fmt.Sprintf("%s/%d", s.ID, s.Start.Unix())
			results[i] = Store.PutString("holds:latest:"+req.ClinicID, idx, nil) // EXPECT kvhotkey
		}
	}
	for i, err := range results {
		if err != nil {
			resp.Failed[req.Slots[i].ID] = err.Error()
			continue
		}
		resp.Held = append(resp.Held, req.Slots[i].ID)
	}
	return resp, nil
}
