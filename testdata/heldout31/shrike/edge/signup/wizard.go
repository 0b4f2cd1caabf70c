//go:build js && wasm

// Package signup runs the multi-step membership sign-up: contact details,
// home station, pass choice, confirmation. The draft lives in KV between
// requests so the rider can continue on another device.
package signup

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/shrike/edge/kvx"
	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/repo"
)

const draftTTL = 24 * time.Hour

type Step int

const (
	StepContact Step = iota + 1
	StepHome
	StepPass
	StepConfirm
)

type Draft struct {
	Applicant string           `json:"applicant"`
	Step      Step             `json:"step"`
	Name      string           `json:"name,omitempty"`
	Email     string           `json:"email,omitempty"`
	Home      string           `json:"home,omitempty"`
	Pass      domain.PassKind  `json:"pass,omitempty"`
	Started   domain.Timestamp `json:"started"`
}

type Wizard struct {
	ns     *kvx.Namespace
	riders *repo.Repo[domain.Rider]
	passes *repo.Repo[domain.Pass]
	now    func() time.Time
}

func New(ns *kvx.Namespace, riders *repo.Repo[domain.Rider], passes *repo.Repo[domain.Pass]) *Wizard {
	return &Wizard{ns: ns, riders: riders, passes: passes, now: time.Now}
}

func (wz *Wizard) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /signup", wz.start)
	mux.HandleFunc("GET /signup/{applicant}", wz.show)
	mux.HandleFunc("POST /signup/{applicant}/step", wz.advance)
	mux.HandleFunc("POST /signup/{applicant}/finish", wz.finish)
}

func draftKey(applicant string) string { return "draft:signup:" + applicant }

// start opens a new draft under a fresh applicant id.
func (wz *Wizard) start(w http.ResponseWriter, r *http.Request) {
	d := Draft{Applicant: httpx.NewID(12), Step: StepContact, Started: domain.At(wz.now())}
	if err := wz.ns.PutJSON(draftKey(d.Applicant), d, draftTTL); err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, d)
}

func (wz *Wizard) show(w http.ResponseWriter, r *http.Request) {
	raw, err := wz.ns.Text(draftKey(r.PathValue("applicant")))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "no such sign-up", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}

var errStep = errors.New("signup: incomplete step")

// apply takes the current page's fields from in and moves the draft on.
func (d *Draft) apply(in Draft) error {
	switch {
	case d.Step == StepContact && in.Name != "" && in.Email != "":
		d.Name, d.Email = in.Name, in.Email
	case d.Step == StepHome && in.Home != "":
		d.Home = in.Home
	case d.Step == StepPass && in.Pass != 0:
		d.Pass = in.Pass
	case d.Step == StepConfirm:
		return nil
	default:
		return fmt.Errorf("%w (step %d)", errStep, d.Step)
	}
	d.Step++
	return nil
}

// advance submits the current page.
func (wz *Wizard) advance(w http.ResponseWriter, r *http.Request) {
	applicant := r.PathValue("applicant")
	var in Draft
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var d Draft
	ok, err := wz.ns.Decode(draftKey(applicant), &d)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if !ok {
		http.Error(w, "sign-up expired, please start again", http.StatusGone)
		return
	}
	if err := d.apply(in); err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	if err := wz.ns.PutJSON(draftKey(applicant), d, draftTTL); err != nil { // EXPECT kvrace
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, d)
}

// finish turns a confirmed draft into a rider and a pass.
func (wz *Wizard) finish(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	applicant := r.PathValue("applicant")
	var d Draft
	ok, err := wz.ns.Decode(draftKey(applicant), &d)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if !ok || d.Step != StepConfirm {
		http.Error(w, "sign-up not ready", http.StatusConflict)
		return
	}
	now := wz.now()
	rider := domain.Rider{ID: httpx.NewID(10), Email: d.Email, Name: d.Name, Home: d.Home, CreatedAt: domain.At(now)}
	if err := wz.riders.Put(ctx, rider.ID, rider); err != nil {
		httpx.Error(w, err)
		return
	}
	pass := domain.Pass{
		ID: httpx.NewID(10), RiderID: rider.ID, Kind: d.Pass,
		Activated: domain.At(now), Expires: domain.At(now.Add(d.Pass.Validity())),
	}
	if err := wz.passes.Put(ctx, pass.ID, pass); err != nil {
		httpx.Error(w, err)
		return
	}
	_ = wz.ns.Delete(draftKey(applicant))
	httpx.JSON(w, http.StatusCreated, map[string]any{"rider": rider, "pass": pass})
}
