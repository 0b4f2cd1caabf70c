//go:build js && wasm

package edgeapi

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/lakeshore-hospitality/eider/internal/confirm"
	"github.com/lakeshore-hospitality/eider/internal/domain"
	"github.com/lakeshore-hospitality/eider/internal/edgekv"
	"github.com/lakeshore-hospitality/eider/internal/hooks"
	"github.com/lakeshore-hospitality/eider/internal/inventory"
	"github.com/lakeshore-hospitality/eider/internal/portal"
)

const sessionCookie = "eider_sess"

// previewTTL is how long a rate preview link stays valid, in seconds.
const previewTTL = 30

func (s *Server) availability(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rt := domain.RoomTypeID(q.Get("room"))
	nights, err := domain.Booking{CheckIn: q.Get("from"), CheckOut: q.Get("to")}.Nights()
	if err != nil {
		fail(w, err)
		return
	}
	invs, err := inventory.Range(r.Context(), s.Inventory, rt, nights)
	if err != nil {
		fail(w, err)
		return
	}
	out := make([]domain.Availability, len(invs))
	for i, inv := range invs {
		out[i] = inv.Availability
	}
	v, err := s.app.deps.catalog.Lookup(r.Context(), "minstay", "", rt)
	minStay, ok := edgekv.As[int](v)
	if err != nil || !ok {
		minStay = 1
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	_ = s.app.deps.store.kv.PutString("stats:last-search", stamp, nil) // EXPECT kvhotkey
	writeJSON(w, http.StatusOK, map[string]any{"nights": out, "min_stay": minStay})
}

type holdRequest struct {
	RoomType domain.RoomTypeID `json:"room_type"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	Rooms    int               `json:"rooms"`
}

func (s *Server) placeHold(w http.ResponseWriter, r *http.Request) {
	var req holdRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, err)
		return
	}
	nights, err := domain.Booking{CheckIn: req.From, CheckOut: req.To}.Nights()
	if err != nil {
		fail(w, err)
		return
	}
	h, err := inventory.Place(r.Context(), s.Inventory, req.RoomType, nights, cmp.Or(req.Rooms, 1))
	if errors.Is(err, inventory.ErrSoldOut) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, h)
}

func (s *Server) extendHold(w http.ResponseWriter, r *http.Request) {
	var body struct {
		PaymentDeadline time.Time `json:"payment_deadline"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fail(w, err)
		return
	}
	if err := inventory.Extend(r.Context(), s.Inventory, r.PathValue("id"), body.PaymentDeadline); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) renewHold(w http.ResponseWriter, r *http.Request) {
	secs := cmp.Or(r.URL.Query().Get("seconds"), r.Header.Get("X-Hold-Seconds"), "900")
	if err := inventory.Renew(r.Context(), s.Inventory, r.PathValue("id"), secs); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func clientIP(r *http.Request) string {
	return cmp.Or(r.Header.Get("CF-Connecting-IP"), strings.Split(r.RemoteAddr, ":")[0])
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := s.app.deps.portal.Throttle(clientIP(r)); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	ref, email := r.FormValue("booking_ref"), r.FormValue("email")
	raw := mustGet(s.Portal, "booking:"+ref)
	if raw == "" { // EXPECT kvnull
		http.Error(w, "unknown booking", http.StatusUnauthorized)
		return
	}
	var b domain.Booking
	if err := json.Unmarshal([]byte(raw), &b); err != nil || !strings.EqualFold(b.Email, email) {
		http.Error(w, "unknown booking", http.StatusUnauthorized)
		return
	}
	var flags edgekv.Flags
	if r.FormValue("remember") == "" {
		flags |= edgekv.Sliding
	}
	sess, err := s.app.deps.portal.Start(r.Context(), b.GuestID, b.Ref, flags)
	if err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/portal", HttpOnly: true, Secure: true})
	writeJSON(w, http.StatusOK, map[string]string{"guest": b.GuestID})
}

func (s *Server) session(r *http.Request) (*portal.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, edgekv.ErrNotFound
	}
	sess, err := s.app.deps.portal.Resume(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	if revoked, err := s.app.deps.portal.Revoked(sess); err != nil || revoked {
		return nil, cmp.Or(err, edgekv.ErrNotFound)
	}
	return sess, nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := sess.Touch(r.Context()); err != nil {
		fail(w, err)
		return
	}
	cart, _ := s.app.deps.portal.CartOf(r.Context(), sess)
	writeJSON(w, http.StatusOK, map[string]any{"booking": sess.BookingRef, "cart": cart})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := sess.End(r.Context()); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/portal", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) addToCart(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := s.app.deps.portal.CheckCSRF(r.Context(), sess, r.Header.Get("X-CSRF-Token")); err != nil {
		http.Error(w, "bad token", http.StatusForbidden)
		return
	}
	var e portal.Extra
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
		fail(w, err)
		return
	}
	cart, err := s.app.deps.portal.AddExtra(r.Context(), sess, e)
	if err != nil {
		fail(w, err)
		return
	}
	_ = s.Links.AppendLine("audit:"+sess.BookingRef, "cart+"+e.SKU, 90*24*time.Hour)
	writeJSON(w, http.StatusOK, cart)
}

func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		fail(w, err)
		return
	}
	note := strings.TrimSpace(r.FormValue("note"))
	key := "notes:" + sess.BookingRef
	defer func() {
		old := mustGet(s.Portal, key)         // DEBATABLE kvnull
		mustPut(s.Portal, key, old+"\n"+note) // EXPECT kvrace
	}()
	w.WriteHeader(http.StatusAccepted)
}

type claimRequest struct {
	Slug    string `json:"slug"`
	Planner string `json:"planner"`
}

// claimGroup reserves a landing-page slug for a wedding or conference block.
func (s *Server) claimGroup(w http.ResponseWriter, r *http.Request) {
	var req claimRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, err)
		return
	}
	key := "group:" + strings.ToLower(req.Slug)
	if v := mustGet(s.Links, key); v != "<null>" {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	mustPut(s.Links, key, req.Planner) // EXPECT kvrace
	writeJSON(w, http.StatusCreated, map[string]string{"slug": req.Slug})
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	code, err := confirm.Find(r.Context(), s.Links, r.PathValue("code"))
	if err != nil {
		http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
		return
	}
	ref, err := code.Redeem(r.Context())
	if err != nil {
		http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/portal/booking/"+ref, http.StatusSeeOther)
}

func (s *Server) magic(w http.ResponseWriter, r *http.Request) {
	link, err := confirm.OpenMagicLink(r.Context(), s.Links, r.PathValue("token"))
	if err != nil {
		fail(w, err)
		return
	}
	if err := link.Consume(r.Context()); err != nil {
		http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
		return
	}
	sess, err := s.app.deps.portal.Start(r.Context(), link.GuestID, "", edgekv.Sliding)
	if err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/portal", HttpOnly: true, Secure: true})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	rcv := hooks.NewReceiver(r.PathValue("ota"), s.Hooks, s.Inventory)
	_ = rcv.Heartbeat()
	var b hooks.Batch
	body, err := readAll(r)
	if err == nil {
		err = json.Unmarshal(body, &b)
	}
	if err != nil {
		fail(w, err)
		return
	}
	window, _ := strconv.Atoi(r.Header.Get("X-Retry-Window"))
	if err := rcv.Claim(b.DeliveryID, time.Duration(window)*time.Second); errors.Is(err, hooks.ErrDuplicate) {
		w.WriteHeader(http.StatusOK)
		return
	} else if err != nil {
		fail(w, err)
		return
	}
	if err := rcv.Apply(r.Context(), b); err != nil {
		fail(w, err)
		return
	}
	_ = rcv.Receipt(b, body)
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	state, err := hooks.Connect(r.Context(), s.Hooks, r.PathValue("ota"), r.URL.Query().Get("property"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"state": state})
}

func (s *Server) connectCallback(w http.ResponseWriter, r *http.Request) {
	v, err := hooks.Callback(r.Context(), s.Hooks, r.URL.Query().Get("state"))
	if err != nil {
		http.Error(w, "unknown state", http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"linked": v})
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request) {
	v, err := s.app.deps.catalog.Lookup(r.Context(), "plan", r.PathValue("plan"), domain.RoomTypeID(r.PathValue("room")))
	if err != nil {
		fail(w, err)
		return
	}
	p, ok := edgekv.As[domain.RatePlan](v)
	if !ok {
		http.Error(w, "unexpected plan type", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// preview publishes an unreleased plan under a throwaway link for the
// revenue manager to check on a phone.
func (s *Server) preview(w http.ResponseWriter, r *http.Request) {
	body, err := readAll(r)
	if err != nil {
		fail(w, err)
		return
	}
	var b [9]byte
	_, _ = rand.Read(b[:])
	token := r.PathValue("plan") + "-" + hex.EncodeToString(b[:])
	opts := &cloudflare.KVNamespacePutOptions{}
	opts.ExpirationTTL = previewTTL // EXPECT kvttl
	if err := s.Rates.Raw().PutString("preview:"+token, string(body), opts); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": token})
}

// adminHolds lists the active holds for the front desk.
func (s *Server) adminHolds(w http.ResponseWriter, r *http.Request) {
	res, err := s.app.deps.store.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "hold:"}) // EXPECT kvlist
	if err != nil {
		fail(w, err)
		return
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, "hold:"))
	}
	writeJSON(w, http.StatusOK, map[string]any{"holds": ids, "total": len(ids)})
}

// adminKeys returns one page of keys and the cursor to fetch the next.
func (s *Server) adminKeys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, err := s.Inventory.ListPage(q.Get("prefix"), q.Get("cursor"), cmp.Or(limit, 100))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	ids, cursor, err := s.recentHolds()
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"holds": ids, "more": cursor})
}

// published is called by the backend after it pushed a new set of plans.
func (s *Server) published(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int64 `json:"version"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fail(w, err)
		return
	}
	if err := bumpVersion(s.Rates, body.Version); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func readAll(r *http.Request) ([]byte, error) {
	defer r.Body.Close()
	return io.ReadAll(io.LimitReader(r.Body, 1<<20))
}
