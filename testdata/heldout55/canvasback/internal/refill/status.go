//go:build js && wasm

// Package refill lets patients request prescription refills and follow their
// status from the portal. Pharmacists update the status from the clinic
// backend (see internal/clinicops); the edge only reads it and appends
// patient-side events.
package refill

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/canvasback/telehealth/internal/codec"
	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/edgekv"
	"github.com/canvasback/telehealth/internal/httpx"
	"github.com/canvasback/telehealth/internal/keys"
)

// Store is the REFILLS binding; main sets it.
var Store *edgekv.Namespace

var errUnknown = httpx.Error(http.StatusNotFound, "no such refill request")

// Request is a refill request record.
type Request struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	ClinicID  string    `json:"clinic_id"`
	RxNumber  string    `json:"rx_number"`
	Status    string    `json:"status"`
	History   []Event   `json:"history"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Event is one line of a request's status history.
type Event struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	By     string    `json:"by"`
}

func requestKey(id string) string              { return "refill:" + id }
func indexKey(patient string) string           { return "refills-by-patient:" + patient }
func notesKey(id string) string                { return "refill-notes:" + id }
func encoder(cfg *config.Config) codec.Encoder { return codec.ByName(cfg.Refills.Encoder) }

type SubmitReq struct {
	PatientID string `json:"patient_id"`
	ClinicID  string `json:"clinic_id"`
	RxNumber  string `json:"rx_number"`
}

type SubmitResp struct {
	ID string `json:"id"`
}

// Submit files a new refill request.
func Submit(ctx context.Context, req SubmitReq) (SubmitResp, error) {
	cfg := config.Current()
	enc := encoder(cfg)
	now := time.Now().UTC()
	r := Request{
		ID: keys.NewID(), PatientID: req.PatientID, ClinicID: req.ClinicID, RxNumber: req.RxNumber,
		Status: "submitted", UpdatedAt: now,
		History: []Event{{At: now, Status: "submitted", By: "patient"}},
	}
	raw, err := enc.Encode(r)
	if err != nil {
		return SubmitResp{}, err
	}
	if err := Store.PutTTL(requestKey(r.ID), raw, cfg.Refills.StatusTTL.Duration); err != nil {
		return SubmitResp{}, err
	}

	var ids []string
	if old, ok, err := Store.Lookup(indexKey(req.PatientID)); err != nil {
		return SubmitResp{}, err
	} else if ok {
		if err := json.Unmarshal([]byte(old), &ids); err != nil {
			return SubmitResp{}, err
		}
	}
	ids = append(ids, r.ID)
	idx, _ := json.Marshal(ids)
	if err := Store.PutString(indexKey(req.PatientID), string(idx), nil); err != nil { // EXPECT kvrace
		return SubmitResp{}, err
	}

	httpx.Go(ctx, "refill-latest", func(context.Context) {
		_ = Store.PutString("refill:latest", r.ID, nil) // EXPECT kvhotkey
	})
	return SubmitResp{ID: r.ID}, nil
}

type StatusReq struct {
	ID string `json:"id"`
}

// Status returns a refill request.
func Status(ctx context.Context, req StatusReq) (Request, error) {
	raw, err := Store.GetString(requestKey(req.ID), nil)
	if err != nil {
		return Request{}, err
	}
	if raw == "" { // EXPECT kvnull
		return Request{}, errUnknown
	}
	var r Request
	if err := encoder(config.Current()).Decode(raw, &r); err != nil {
		return Request{}, err
	}
	return r, nil
}

type CancelReq struct {
	ID        string `json:"id"`
	PatientID string `json:"patient_id"`
}

// Cancel withdraws a request the pharmacy has not started on.
func Cancel(ctx context.Context, req CancelReq) (Request, error) {
	cfg := config.Current()
	enc := encoder(cfg)
	raw, err := Store.MustLookup(requestKey(req.ID))
	if err != nil {
		return Request{}, errUnknown
	}
	var r Request
	if err := enc.Decode(raw, &r); err != nil {
		return Request{}, err
	}
	if r.PatientID != req.PatientID || r.Status != "submitted" {
		return r, httpx.Error(http.StatusConflict, "request can no longer be cancelled")
	}
	now := time.Now().UTC()
	r.Status, r.UpdatedAt = "cancelled", now
	r.History = append(r.History, Event{At: now, Status: "cancelled", By: "patient"})
	out, err := enc.Encode(r)
	if err != nil {
		return r, err
	}
	return r, Store.PutTTL(requestKey(r.ID), out, cfg.Refills.StatusTTL.Duration) // EXPECT kvrace
}

type NoteReq struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// AddNote appends a patient note ("please call before shipping") to a request.
func AddNote(ctx context.Context, req NoteReq) (httpx.Empty, error) {
	line := time.Now().UTC().Format(time.DateTime) + " " + req.Text + "\n"
	err := Store.Update(notesKey(req.ID), config.Current().Refills.StatusTTL.Duration, func(old string) (string, error) {
		return old + line, nil
	})
	return httpx.Empty{}, err
}
