//go:build !js

// Package branches is the staff API for branch opening hours, closures and
// notices, and the token revocation used by the e-book content server.
package branches

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/riverside-libraries/towhee/internal/keys"
	"github.com/riverside-libraries/towhee/internal/restkv"
)

// standardClosureNotice is shown on the branch page and in the app while a
// branch is closed at short notice.
const standardClosureNotice = "This branch is closed today. We are sorry for the inconvenience. " +
	"Items on hold for collection at this branch will be kept for an extra three days, and loans due back today will not be charged overdue fees. " +
	"You can return items at any other Riverside branch or at the 24-hour return chute outside Central Library on Market Square. " +
	"Public computers, printing and Wi-Fi are available at Central, Eastgate and Northfield during their normal hours. " +
	"E-books, e-audiobooks, digital magazines and streaming film remain available around the clock through the Towhee app and website. " +
	"If you booked a meeting room, a study pod or a 3D printer slot here today, staff will contact you to rebook at no charge. " +
	"Home delivery and the bookmobile will run to their usual timetables. Storytime and rhyme time sessions are cancelled and will be rescheduled. " +
	"For help with your account, holds or renewals call the central enquiries line, 9am to 5pm, or use the chat on the Towhee website. " +
	"We will post an update here as soon as we know when the branch will reopen. Thank you for your patience and for supporting your library."

// Admin serves /admin.
type Admin struct {
	KV *restkv.Client
}

// Register mounts the routes.
func (a Admin) Register(mux *http.ServeMux) {
	mux.HandleFunc("PUT /admin/branches/{id}/hours/{week}", a.putHours)
	mux.HandleFunc("POST /admin/branches/{id}/closed", a.closeToday)
	mux.HandleFunc("POST /admin/branches/{id}/closures", a.addClosure)
	mux.HandleFunc("GET /admin/keys", a.keys)
	mux.HandleFunc("GET /admin/branches/{id}/peek", a.peek)
	mux.HandleFunc("POST /admin/tokens/{id}/revoke", a.revoke)
}

func (a Admin) putHours(w http.ResponseWriter, r *http.Request) {
	branch := r.PathValue("id")
	var year, week int
	if _, err := fmt.Sscanf(r.PathValue("week"), "%04d-W%02d", &year, &week); err != nil {
		http.Error(w, "week must look like 2025-W07", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil || !json.Valid(body) {
		http.Error(w, "hours must be JSON", http.StatusBadRequest)
		return
	}
	meta := map[string]any{"branch": branch, "editor": r.Header.Get("X-Staff-Id"), "at": time.Now().UTC().Unix()}
	if err := a.KV.PutWithMeta(r.Context(), keys.Hours(branch, year, week), body, meta, 9*24*time.Hour); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// closeToday posts the standard closure notice until the end of the day.
func (a Admin) closeToday(w http.ResponseWriter, r *http.Request) {
	branch := r.PathValue("id")
	now := time.Now().UTC()
	endOfDay := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 0, 0, time.UTC)
	params := kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(a.KV.AccountID),
		Value:      cloudflare.F("closed"),
		Expiration: cloudflare.F(float64(endOfDay.Add(6 * time.Hour).Unix())),
		Metadata:   cloudflare.F[any](map[string]any{"branch": branch, "notice": standardClosureNotice}), // EXPECT kvlimits
	}
	_, err := a.KV.API.KV.Namespaces.Values.Update(r.Context(), a.KV.NamespaceID, "closed:"+branch, params)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// addClosure adds a planned closure date to the branch's closure calendar.
func (a Admin) addClosure(w http.ResponseWriter, r *http.Request) {
	branch := r.PathValue("id")
	date := r.FormValue("date")
	if _, err := time.Parse("2006-01-02", date); err != nil {
		http.Error(w, "date must be YYYY-MM-DD", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	key := "closures:" + branch
	calendar := map[string]any{}
	raw, err := a.KV.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &calendar); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	case !restkv.IsNotFound(err):
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	calendar[date] = map[string]any{"reason": r.FormValue("reason"), "by": r.Header.Get("X-Staff-Id")}
	b, _ := json.Marshal(calendar)
	if err := a.KV.Put(ctx, key, b, 0); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// keys returns one page of keys under a prefix, with the cursor for the
// next page, for the staff console.
func (a Admin) keys(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit < 10 || limit > 1000 {
		limit = 100
	}
	page, cursor, err := a.KV.Page(r.Context(), r.URL.Query().Get("prefix"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(page))
	for _, k := range page {
		names = append(names, k.Name)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": cursor})
}

// peek shows the first few cached weeks of a branch.
func (a Admin) peek(w http.ResponseWriter, r *http.Request) {
	res, err := a.KV.API.KV.Namespaces.Keys.List(r.Context(), a.KV.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.KV.AccountID),
		Prefix:    cloudflare.F(keys.HoursPrefix + r.PathValue("id") + ":"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out := make([]map[string]any, 0, len(res.Result))
	for _, k := range res.Result {
		out = append(out, map[string]any{"key": k.Name, "expires": k.Expiration})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": out, "cursor": res.ResultInfo.Cursor})
}

// revoke blocks a lending token before its natural expiry, for example
// when a device is reported stolen.
func (a Admin) revoke(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	entry, _ := json.Marshal(map[string]any{"by": r.Header.Get("X-Staff-Id"), "at": time.Now().UTC()})
	if err := a.KV.Put(r.Context(), "revoked:token:"+id, entry, 30*24*time.Hour); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	log.Printf("token %s revoked", id)
	w.WriteHeader(http.StatusNoContent)
}
