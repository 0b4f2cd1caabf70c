//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/garganey/internal/sponsors"
)

// checkoutWindow is how long a sponsor has to pay for held slots; the
// checkout page then keeps the holds alive every heartbeat.
var (
	checkoutWindow = 20 * time.Minute
	heartbeat      = 15 * time.Second
)

// sponsorUser is the sponsor portal user, authenticated by Cloudflare Access.
func sponsorUser(r *http.Request) string {
	return r.Header.Get("Cf-Access-Authenticated-User-Email")
}

func handleAddToCart(w http.ResponseWriter, r *http.Request) {
	st, ok := store(w, bindingSponsors)
	if !ok {
		return
	}
	cart, err := sponsors.AddToCart(r.Context(), st, sponsorUser(r), r.FormValue("slot"))
	if err != nil {
		http.Error(w, "cart unavailable", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, cart)
}

func handleHold(w http.ResponseWriter, r *http.Request) {
	st, ok := store(w, bindingSponsors)
	if !ok {
		return
	}
	r.ParseForm()
	until := time.Now().Add(checkoutWindow)
	for _, slot := range r.Form["slot"] {
		if err := sponsors.PlaceHold(r.Context(), st, slot, sponsorUser(r), until); err != nil {
			http.Error(w, "could not hold "+slot, http.StatusBadGateway)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"slots": r.Form["slot"], "until": until})
}

func handleHoldHeartbeat(w http.ResponseWriter, r *http.Request) {
	st, ok := store(w, bindingSponsors)
	if !ok {
		return
	}
	r.ParseForm()
	for _, slot := range r.Form["slot"] {
		if err := sponsors.ExtendHold(r.Context(), st, slot, sponsorUser(r), heartbeat); err != nil {
			http.Error(w, "could not extend "+slot, http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func handleBook(w http.ResponseWriter, r *http.Request) {
	ends, err := time.Parse("2006-01-02", r.FormValue("ends"))
	if err != nil {
		http.Error(w, "bad campaign end date", http.StatusBadRequest)
		return
	}
	st, ok := store(w, bindingSponsors)
	if !ok {
		return
	}
	switch err := sponsors.Book(r.Context(), st, r.FormValue("slot"), sponsorUser(r), ends); {
	case errors.Is(err, sponsors.ErrSlotTaken):
		http.Error(w, "this slot was just booked by another sponsor", http.StatusConflict)
		return
	case err != nil:
		http.Error(w, "booking failed", http.StatusBadGateway)
		return
	}
	ns, ok := namespace(w, bindingSponsors)
	if !ok {
		return
	}
	// The inventory page compares this to its copy to know when to reload.
	if err := ns.PutString("sponsors:inventory-version", strconv.FormatInt(time.Now().UnixNano(), 10), nil); err != nil { // EXPECT kvhotkey
		log.Printf("book: version: %v", err)
	}
	w.WriteHeader(http.StatusCreated)
}

func handleSponsorProfile(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, bindingSponsors)
	if !ok {
		return
	}
	raw, err := ns.GetString("sponsor:"+r.PathValue("id"), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "sponsor unavailable", http.StatusBadGateway)
		return
	}
	var p struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Website string `json:"website"`
		Logo    string `json:"logo"`
		Billing string `json:"billing_email"`
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		http.Error(w, "sponsor unavailable", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": p.ID, "name": p.Name, "website": p.Website, "logo": p.Logo})
}
