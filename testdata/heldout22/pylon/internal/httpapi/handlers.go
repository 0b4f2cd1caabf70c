package httpapi

import (
	"errors"
	"net/http"

	"example.com/pylon/internal/barcode"
	"example.com/pylon/internal/courier"
	"example.com/pylon/internal/custody"
	"example.com/pylon/internal/partner"
	"example.com/pylon/internal/portal"
	"example.com/pylon/internal/telemetry"
)

type transitionReq struct {
	SampleID string `json:"sample_id"`
	To       string `json:"to"`
	Site     string `json:"site"`
}

func (d Deps) transition(w http.ResponseWriter, r *http.Request) {
	req, err := decode[transitionReq](r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	next, err := custody.ParseStatus(req.To)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	key := r.Context().Value(keyPartner).(partner.Key)
	ev, err := d.Tracker.Transition(r.Context(), req.SampleID, next, key.PartnerID, req.Site)
	var illegal custody.ErrIllegalTransition
	switch {
	case errors.As(err, &illegal):
		fail(w, http.StatusConflict, err)
	case errors.Is(err, custody.ErrUnknownSample):
		fail(w, http.StatusNotFound, err)
	case err != nil:
		fail(w, http.StatusBadGateway, err)
	default:
		reply(w, ev)
	}
}

func (d Deps) claim(w http.ResponseWriter, r *http.Request) {
	req, err := decode[barcode.Claim](r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	key := r.Context().Value(keyPartner).(partner.Key)
	switch err := d.Barcodes.Claim(r.Context(), req.Code, req.SampleID, key.PartnerID); {
	case errors.Is(err, barcode.ErrClaimed):
		fail(w, http.StatusConflict, err)
	case errors.Is(err, barcode.ErrInvalid):
		fail(w, http.StatusBadRequest, err)
	case err != nil:
		fail(w, http.StatusBadGateway, err)
	default:
		w.WriteHeader(http.StatusCreated)
	}
}

func (d Deps) readings(w http.ResponseWriter, r *http.Request) {
	batch, err := decode[[]telemetry.Reading](r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	if err := d.Monitor.Ingest(r.Context(), batch); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (d Deps) ping(w http.ResponseWriter, r *http.Request) {
	p, err := decode[courier.Position](r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	if err := d.Couriers.Ping(r.Context(), p); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (d Deps) logout(w http.ResponseWriter, r *http.Request) {
	sess := r.Context().Value(keySession).(portal.Session)
	if err := d.Sessions.Logout(r.Context(), sess.ID); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "pylon_session", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

func (d Deps) verify(w http.ResponseWriter, r *http.Request) {
	u, err := d.Verifier.Redeem(r.Context(), r.URL.Query().Get("t"))
	if errors.Is(err, portal.ErrBadLink) {
		fail(w, http.StatusGone, err)
		return
	}
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	reply(w, map[string]string{"verified": u.Email})
}
