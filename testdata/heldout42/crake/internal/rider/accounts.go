//go:build js && wasm

package rider

import (
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/crake-mobility/crake/internal/dbgen"
	"github.com/crake-mobility/crake/internal/fleet"
	"github.com/crake-mobility/crake/internal/kvstore"
)

var handlePattern = regexp.MustCompile(`^[a-z0-9_]{3,24}$`)

// Accounts serves profile reads and edits.
type Accounts struct {
	Queries *dbgen.Queries
}

type profileUpdate struct {
	Name    string `json:"name"`
	Phone   string `json:"phone,omitempty"`
	Version int    `json:"version"`
}

// GetProfile returns the signed-in rider's profile.
func (a *Accounts) GetProfile(w http.ResponseWriter, r *http.Request) {
	var s Session
	if err := Authenticate(r, &s); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var rd fleet.Rider
	ok, err := a.Queries.GetRider(r.Context(), s.RiderID, &rd)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", `"`+itoa(rd.Version)+`"`)
	writeJSON(w, http.StatusOK, rd)
}

// UpdateProfile edits the rider's name and phone. The client sends back
// the version it read; a stale version is refused.
func (a *Accounts) UpdateProfile(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var s Session
	if err := Authenticate(r, &s); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var in profileUpdate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	cur := fleet.Rider{ID: s.RiderID}
	ok, err := kvstore.Load(ctx, cur.Key(), &cur)
	if err != nil || !ok {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if cur.Version != in.Version {
		http.Error(w, "profile changed; reload", http.StatusConflict)
		return
	}
	phoneChanged := in.Phone != "" && normalizePhone(in.Phone) != cur.Phone
	cur.Name = in.Name
	if phoneChanged {
		cur.Phone = normalizePhone(in.Phone)
	}
	cur.Version++
	if err := kvstore.Put(ctx, cur.Key(), cur, 0); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if phoneChanged {
		if _, err := revokeAll(ctx, kvstore.Default(), s.RiderID); err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
	}
	writeJSON(w, http.StatusOK, cur)
}

type handleClaim struct {
	Handle string `json:"handle"`
}

// ClaimHandle reserves a public @handle for the rider's referral link.
func (a *Accounts) ClaimHandle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var s Session
	if err := Authenticate(r, &s); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var in handleClaim
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	h := fleet.NormalizeHandle(in.Handle)
	if !handlePattern.MatchString(h) {
		http.Error(w, "invalid handle", http.StatusBadRequest)
		return
	}
	owner, taken, err := kvstore.Get(ctx, "handle:"+h)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if taken && owner != s.RiderID {
		http.Error(w, "handle taken", http.StatusConflict)
		return
	}
	if err := kvstore.PutString(ctx, "handle:"+h, s.RiderID, 0); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"handle": h})
}

// ResolveHandle maps a referral handle to a rider ID.
func (a *Accounts) ResolveHandle(w http.ResponseWriter, r *http.Request) {
	h := fleet.NormalizeHandle(r.URL.Query().Get("h"))
	if !handlePattern.MatchString(h) {
		http.Error(w, "invalid handle", http.StatusBadRequest)
		return
	}
	id, ok, err := kvstore.Get(r.Context(), "handle:"+h)
	switch {
	case err != nil:
		http.Error(w, "unavailable", http.StatusBadGateway)
	case !ok:
		http.NotFound(w, r)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"riderId": id})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
