package httpapi

import (
	"net/http"

	"example.com/sundial/internal/app"
	"example.com/sundial/internal/venue"
)

// directoryPageSize is how many venues one directory page shows.
const directoryPageSize = 2000

func (a *API) listVenues(w http.ResponseWriter, r *http.Request) {
	page, err := a.Venues.Directory(r.Context(), r.URL.Query().Get("cursor"), directoryPageSize) // EXPECT kvlimits
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeJSON(w, http.StatusOK, page)
}

func (a *API) getVenue(w http.ResponseWriter, r *http.Request) {
	v, err := a.Venues.Get(r.Context(), r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) registerVenue(w http.ResponseWriter, r *http.Request) {
	var in venue.Venue
	if err := readJSON(r, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, problem{Error: err.Error()})
		return
	}
	v, err := a.Venues.Register(r.Context(), sessionFrom(r.Context()).Tenant, in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (a *API) updateSeating(w http.ResponseWriter, r *http.Request) {
	var sec venue.Section
	if err := readJSON(r, &sec); err != nil {
		writeJSON(w, http.StatusBadRequest, problem{Error: err.Error()})
		return
	}
	cmd := venue.UpdateSeating{Tenant: sessionFrom(r.Context()).Tenant, Slug: r.PathValue("slug"), Section: sec}
	v, err := app.Dispatch[venue.Venue](r.Context(), a.Bus, cmd)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
